// For tools/make-age-fixtures: runs face-api's own JavaScript (the npm
// package's dist/face-api.node.js, on tfjs's pure-JS CPU backend) over the
// demo photos' pixels as OpenCV decoded them, and writes one fixture per
// photo: face-api's detections, the integer box its age net cropped, and that
// crop's age and male probability.
//
//   node age-fixtures.cjs WORK_DIR OUT_DIR NAME:WIDTH:HEIGHT...
//
// WORK_DIR holds package/ (the unpacked tarball), node_modules/ and bgr/
// (from decode-bgr).
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');

const [work, out, ...images] = process.argv.slice(2);
const faceapi = require(path.join(work, 'package/dist/face-api.node.js'));
const { tf } = faceapi;

// face-api reports the larger class's probability; the fixtures keep P(male).
const maleProbability = (r) => (r.gender === 'male'
  ? r.genderProbability : 1 - r.genderProbability);
const round = (v, places) => Number(v.toFixed(places));

async function main() {
  await tf.setBackend('cpu');
  await tf.ready();
  const models = path.join(work, 'package/model');
  await faceapi.nets.ssdMobilenetv1.loadFromDisk(models);
  await faceapi.nets.ageGenderNet.loadFromDisk(models);
  for (const spec of images) {
    const [name, width, height] = spec.split(':');
    const bgr = fs.readFileSync(path.join(work, 'bgr', `${name}.bgr`));
    const rgb = new Int32Array(bgr.length);
    for (let i = 0; i < bgr.length; i += 3) {
      rgb[i] = bgr[i + 2];
      rgb[i + 1] = bgr[i + 1];
      rgb[i + 2] = bgr[i];
    }
    const image = tf.tensor3d(rgb, [Number(height), Number(width), 3], 'int32');
    // face-api's default pipeline: SSD MobileNet v1 (score >= 0.5), then the
    // age net on each detection's box, cropped by extractFaceTensors.
    const results = await faceapi.detectAllFaces(image).withAgeAndGender();
    const faces = results.map((r) => {
      const box = r.detection.box.clipAtImageBorders(image.shape[1], image.shape[0]);
      return {
        detection: {
          x: round(r.detection.box.x, 3),
          y: round(r.detection.box.y, 3),
          width: round(r.detection.box.width, 3),
          height: round(r.detection.box.height, 3),
          score: round(r.detection.score, 4),
        },
        box: [box.x, box.y, box.width, box.height],
        age: r.age,
        male_probability: maleProbability(r),
      };
    });
    // Two boxes of the first face's size hanging a third past the image's
    // top-left and bottom-right corners (not faces: they test the clipping
    // face-api does before cropping).
    if (faces.length > 0) {
      const [, , w, h] = faces[0].box;
      const [W, H] = [image.shape[1], image.shape[0]];
      const corners = [
        [-Math.round(w / 3), -Math.round(h / 3)],
        [W - Math.round((2 * w) / 3), H - Math.round((2 * h) / 3)],
      ];
      for (const [x, y] of corners) {
        const [crop] = await faceapi.extractFaceTensors(image, [new faceapi.Rect(x, y, w, h)]);
        const r = await faceapi.nets.ageGenderNet.predictAgeAndGender(crop);
        faces.push({
          detection: null, box: [x, y, w, h], age: r.age, male_probability: maleProbability(r),
        });
        crop.dispose();
      }
    }
    image.dispose();
    const fixture = {
      generated_by: 'tools/make-age-fixtures: @vladmandic/face-api 1.7.15 dist/face-api.node.js '
        + `on @tensorflow/tfjs ${tf.version_core} (pure-JS CPU backend)`,
      image: name,
      decoded_bgr_sha256: crypto.createHash('sha256').update(bgr).digest('hex'),
      width: Number(width),
      height: Number(height),
      faces,
    };
    const file = path.join(out, `${path.parse(name).name}.json`);
    fs.writeFileSync(file, `${JSON.stringify(fixture, null, 2)}\n`);
    console.log(`${file}: ${faces.length} faces`);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
