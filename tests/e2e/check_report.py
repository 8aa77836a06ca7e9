"""Checks the reports of an audit of the demo site (tools/make-demo-site).

Every expectation comes from how the demo site is built, not from a previous
run: which pages link where, what robots.txt forbids, which photo carries the
GPS position written by exiv2, and the SHA-256 of each file as served.
"""
import argparse
import csv
import hashlib
import json
import pathlib
import sys

import jsonschema

GPS_LAT = 48 + 51 / 60 + 24 / 3600  # 48°51'24" N, as written by make-demo-site
GPS_LON = 2 + 21 / 60 + 8 / 3600    # 2°21'08" E
PUBLIC_PHOTOS = {"hero", "director", "coordinator", "festival", "camp"}

failures = []


def check(condition, message):
    if not condition:
        failures.append(message)


def by_path(items, key):
    """Maps the path part of each item's URL (e.g. '/images/camp.jpg') to the item."""
    return {"/" + item[key].split("/", 3)[3]: item for item in items}


def check_report(report, schema, site_dir, precise):
    jsonschema.Draft202012Validator(schema).validate(report)
    pages = report["pages"]
    fetched = {p["url"].split("/", 3)[3] for p in pages["list"] if p["fetch"]}
    check({"", "team.html", "events.html", "blog/summer-camp.html"} <= fetched,
          f"pages fetched: {sorted(fetched)}")
    check(pages["fetched"] == len(fetched), f"pages.fetched {pages['fetched']} != {len(fetched)}")
    check(pages["disallowed_by_robots"] == 1, f"disallowed: {pages['disallowed_by_robots']}")
    private = [p for p in pages["list"] if "/private/" in p["url"]]
    check(len(private) == 1 and "robots.txt" in (private[0]["skipped_reason"] or ""),
          f"private page not reported as disallowed: {private}")

    images = by_path(report["images"], "url")
    check(set(images) == {f"/images/{n}.jpg" for n in PUBLIC_PHOTOS},
          f"image URLs: {sorted(images)} (member.jpg is only on the disallowed page)")
    for path, image in images.items():
        served = (site_dir / path.lstrip("/")).read_bytes()
        check(image["sha256"] == hashlib.sha256(served).hexdigest(), f"{path}: sha256 mismatch")
        check(len(image["faces"]) >= 1, f"{path}: no face found in a photo of people")
        for face in image["faces"]:
            check(face["x"] + face["w"] <= image["width"] and face["y"] + face["h"] <= image["height"],
                  f"{path}: face box outside the image: {face}")
        if path == "/images/camp.jpg":
            gps = image["gps"]
            check(gps is not None, "camp.jpg: GPS not found")
            if gps:
                tolerance = 1e-6 if precise else 0.005
                check(abs(gps["lat"] - GPS_LAT) <= tolerance and abs(gps["lon"] - GPS_LON) <= tolerance,
                      f"camp.jpg: GPS {gps} (precise={precise})")
                check(gps["rounded"] == (not precise), f"camp.jpg: rounded flag {gps['rounded']}")
                check(gps["alt"] == 35, f"camp.jpg: altitude {gps['alt']}")
            check(image["metadata"]["make"] == "DemoCam", f"camp.jpg: make {image['metadata']}")
        else:
            check(image["gps"] is None, f"{path}: unexpected GPS {image['gps']}")

    def pages_of(name):
        return {f["page"].split("/", 3)[3] for f in images[f"/images/{name}.jpg"]["found_on"]}

    check({"events.html", "blog/summer-camp.html"} <= pages_of("camp"),
          f"camp.jpg found on {pages_of('camp')} (a CSS background and an <img>)")
    check({"team.html", "blog/summer-camp.html", "events.html"} <= pages_of("director"),
          f"director.jpg found on {pages_of('director')} (events.html links it via a redirect)")
    redirected = [u.split("/", 3)[3] for u in images["/images/director.jpg"]["redirected_from"]]
    check(redirected == ["photos/dana.jpg"], f"director.jpg redirected_from {redirected}")
    alts = {f["alt"] for f in images["/images/director.jpg"]["found_on"]}
    check("Dana Whitfield, director" in alts, f"director.jpg context: {alts}")
    team = [f for f in images["/images/director.jpg"]["found_on"] if f["page"].endswith("/team.html")]
    check(len(team) == 1 and team[0]["names"] == ["Dana Whitfield"]
          and "since 2015" in team[0]["caption"],
          f"director.jpg on team.html: the h-card name and caption are the profile: {team}")

    # Opt-outs and who could still take the photos (every public photo has faces).
    camp = images["/images/camp.jpg"]
    check(camp["opt_out"]["x_robots_tag"] == ["noai", "noimageai"], f"camp.jpg opt_out {camp['opt_out']}")
    check(all(i["opt_out"]["tdm_reserved"] for i in images.values()),
          "tdmrep.json reserves /images/* but an image is not marked tdm_reserved")
    harvest = {h["profile"]: h["images_with_faces"] for h in report["summary"]["harvestability"]}
    expected_harvest = {"indiscriminate": 5, "img2dataset-default": 4, "rfc9309:*": 5,
                        "rfc9309:GPTBot": 0, "rfc9309:CCBot": 0, "rfc9309:Googlebot-Image": 5}
    for profile, count in expected_harvest.items():
        check(harvest.get(profile) == count, f"{profile}: {harvest.get(profile)} face images, want {count}")
    check("img2dataset-default" not in camp["harvestable_by"], "img2dataset would skip camp.jpg")
    check({p["name"] for p in report["profiles"]} >= set(expected_harvest), "profiles not stated")

    summary = report["summary"]
    check(summary["images"] == len(PUBLIC_PHOTOS), f"summary.images {summary['images']}")
    check(summary["images_with_faces"] == len(PUBLIC_PHOTOS), f"summary {summary}")
    check(summary["faces"] == sum(len(i["faces"]) for i in report["images"]), f"summary {summary}")
    check(summary["images_with_gps"] == 1, f"summary {summary}")
    # The home page holds one data: URI image; it is reached as / and /index.html.
    check(summary["data_uri_images"] == len(fetched & {"", "index.html"}), f"summary {summary}")

    robots = report["robots"]
    check(len(robots) == 1 and robots[0]["policy"] == "parsed", f"robots: {robots}")
    if robots:
        groups = {g["token"]: g for g in robots[0]["groups"]}
        check(not groups["GPTBot"]["root_allowed"] and groups["GPTBot"]["urls_allowed"] == 0,
              f"GPTBot is disallowed everything: {groups['GPTBot']}")
        check(groups["*"]["root_allowed"] and groups["*"]["crawl_delay"] == 1,
              f"'*' group: {groups['*']}")
        check(groups["*"]["urls"] - groups["*"]["urls_allowed"] == 1,
              f"only /private/members.html is disallowed to '*': {groups['*']}")
    if robots:
        body = (site_dir / "robots.txt").read_text()
        check(robots[0]["body"] == body, "robots.txt body differs from the file served")
        check(robots[0]["fetch"]["sha256"] == hashlib.sha256(body.encode()).hexdigest(),
              "robots.txt sha256")
    check(report["run"]["finished_at"] is not None, "run not finished")
    check(report["run"]["user_agent"].startswith("scrapewatch/"), "user agent not honest")


def main():
    parser = argparse.ArgumentParser()
    for flag in ("schema", "site-dir", "report", "html", "rounded", "csv", "md", "second", "diff"):
        parser.add_argument(f"--{flag}", required=True, type=pathlib.Path)
    args = parser.parse_args()
    schema = json.loads(args.schema.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)

    report = json.loads(args.report.read_text())
    check_report(report, schema, args.site_dir, precise=True)
    check_report(json.loads(args.rounded.read_text()), schema, args.site_dir, precise=False)

    second = json.loads(args.second.read_text())
    jsonschema.Draft202012Validator(schema).validate(second)
    check(second["run"]["id"] != report["run"]["id"], "second audit reused the run id")
    check(second["pages"]["fetched"] == 1, f"--max-pages 1 fetched {second['pages']['fetched']}")
    hero = [i for i in second["images"] if i["url"].endswith("/images/hero.jpg")]
    check(len(hero) == 1 and hero[0]["face_backend"].startswith("yunet") and hero[0]["faces"],
          f"--face-backend yunet: {hero and (hero[0]['face_backend'], len(hero[0]['faces']))}")

    diff = json.loads(args.diff.read_text())
    festival = [c for c in diff["changed"] if c["url"].endswith("/images/festival.jpg")]
    check(diff["has_new_exposure"] and len(festival) == 1 and "gained GPS" in festival[0]["changes"],
          f"diff after GPS was written into festival.jpg: {diff}")
    check(diff["from_run"] == report["run"]["id"], "diff is not against the previous run")

    html = args.html.read_text()
    check("Content-Security-Policy" in html and "default-src 'none'" in html, "HTML lacks its CSP")
    for external in ("<script", "<link", "src=\"http", "src='http", "@import"):
        check(external not in html, f"HTML report makes an external request: {external}")
    check("camp.jpg" in html and "DemoCam" in html, "HTML report lacks the findings")

    rows = list(csv.DictReader(args.csv.read_text().splitlines()))
    check(len(rows) == len(PUBLIC_PHOTOS), f"CSV rows: {len(rows)}")
    check(any(r["url"].endswith("camp.jpg") and r["lat"] == "48.86" and r["lon"] == "2.35"
              for r in rows), "CSV lacks camp.jpg's rounded GPS")
    camp = [r for r in rows if r["url"].endswith("camp.jpg")]
    check(camp and "x-robots-tag:noai" in camp[0]["opt_out"].split(), "CSV lacks camp.jpg's noai")
    check(camp and "indiscriminate" in camp[0]["harvestable_by"].split(),
          "CSV lacks camp.jpg's harvestability")
    findings = {r["finding"]: r for r in report["remediation"]}
    check(set(findings) >= {"faces_public", "gps"}, f"remediation: {sorted(findings)}")
    check("gps" not in findings or any(u.endswith("camp.jpg") for u in findings["gps"]["examples"]),
          "GPS remediation does not name camp.jpg")
    faces = [i for i in report["images"] if i["faces"]]
    check(faces and all(i.get("thumbnail", "").startswith("data:image/jpeg;base64,") and
                        i["thumbnail_blurred"] for i in faces),
          "images with faces lack a blurred thumbnail")
    check("<img class=thumb src='data:image/jpeg;base64," in html, "HTML lacks thumbnails")
    camp_json = [i for i in report["images"] if i["url"].endswith("/images/camp.jpg")]
    check(camp_json and camp_json[0]["minors"]["possible_minor"] and
          any(e["matched"].lower() == "kids" for e in
              (camp_json[0]["minors"]["text_signal"] or {}).get("evidence", [])),
          "camp.jpg is not flagged as a possible minor with the word 'kids' as evidence")
    check(report["summary"]["images_possible_minor"] >= 1, "no image flagged as a possible minor")
    markdown = args.md.read_text()
    check("## What to change" in markdown, "Markdown lacks the remediation")
    check("| image | faces | GPS | found on |" in markdown, "Markdown table missing")
    check("<br>" in markdown and "&lt;br&gt;" not in markdown, "Markdown page lists are mangled")

    for failure in failures:
        print("FAIL:", failure, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
