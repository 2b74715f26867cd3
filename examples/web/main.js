// arpose -> three.js: moves a skinned glTF character with the joint rotations arpose
// solves, received as VMC through tools/vmc_bridge.mjs (a browser cannot receive UDP).
//
// Each bridge message is one VMC frame in Unity's axes (left-handed, +Y up, the avatar
// faces +Z): {"t", "tracking", "root": {"p", "q"}, "bones": {"Hips": {"p", "q"}, ...}}.
// The rotations are local, relative to a T-pose whose bone frames are aligned with the
// avatar. Here they are chained into each humanoid bone's rotation from that T-pose and
// put onto the model's own bones, whose axes come from the model's rest pose (as the
// Blender add-on does): nothing here depends on how the model's bones are rolled.
import * as THREE from "three";
import { GLTFLoader } from "three/addons/loaders/GLTFLoader.js";

const params = new URLSearchParams(location.search);
const WS_URL = params.get("ws") ?? "ws://127.0.0.1:39540";
const MODEL_URL = params.get("model") ?? "../../assets/effects/avatars/mannequin.glb";
const ROOT_MOTION = params.get("root") !== "0";

// Unity HumanBodyBones that arpose sends -> their parent (parents first).
const PARENTS = { Hips: null, Spine: "Hips", Chest: "Spine", Neck: "Chest", Head: "Neck" };
for (const s of ["Left", "Right"]) {
  Object.assign(PARENTS, {
    [`${s}Shoulder`]: "Chest", [`${s}UpperArm`]: `${s}Shoulder`, [`${s}LowerArm`]: `${s}UpperArm`,
    [`${s}Hand`]: `${s}LowerArm`, [`${s}UpperLeg`]: "Hips", [`${s}LowerLeg`]: `${s}UpperLeg`,
    [`${s}Foot`]: `${s}LowerLeg`,
  });
  for (const f of ["Thumb", "Index", "Middle", "Ring", "Little"]) {
    let prev = `${s}Hand`;
    for (const seg of ["Proximal", "Intermediate", "Distal"]) {
      PARENTS[`${s}${f}${seg}`] = prev;
      prev = `${s}${f}${seg}`;
    }
  }
}

// Unity bone -> candidate model bone names: the shipped mannequin's (Rigify DEF-*), then
// Unity's own names (a model rigged with them), Mixamo's and VRoid's.
const MANNEQUIN = {
  Hips: "DEF-hips", Spine: "DEF-spine.001", Chest: "DEF-spine.003", Neck: "DEF-neck", Head: "DEF-head",
};
const LIMB = { Shoulder: "shoulder", UpperArm: "upper_arm", LowerArm: "forearm", Hand: "hand",
  UpperLeg: "thigh", LowerLeg: "shin", Foot: "foot" };
const MIXAMO = { Chest: "Spine1", UpperArm: "Arm", LowerArm: "ForeArm", UpperLeg: "UpLeg", LowerLeg: "Leg" };
const FINGER = { Thumb: "thumb", Index: "f_index", Middle: "f_middle", Ring: "f_ring", Little: "f_pinky" };
function candidates(bone) {
  const side = bone.startsWith("Left") ? "Left" : bone.startsWith("Right") ? "Right" : "";
  const part = bone.slice(side.length);
  const names = [bone];
  if (!side) names.push(MANNEQUIN[part]);
  else if (LIMB[part]) names.push(`DEF-${LIMB[part]}.${side[0]}`);
  else {
    const f = Object.keys(FINGER).find((k) => part.startsWith(k));
    const seg = { Proximal: 1, Intermediate: 2, Distal: 3 }[part.slice(f.length)];
    names.push(`DEF-${FINGER[f]}.0${seg}.${side[0]}`);
  }
  names.push(`mixamorig:${side}${MIXAMO[part] ?? part}`, `J_Bip_${side ? side[0] : "C"}_${part}`);
  return names;
}

// Limb directions in the T-pose that VMC rotations start from, in three.js axes with the
// model facing +Z (its left hand at +X). A model at rest in an A-pose is turned to it.
const T_DIR = {};
for (const b of ["UpperArm", "LowerArm", "Hand"]) {
  T_DIR[`Left${b}`] = new THREE.Vector3(1, 0, 0);
  T_DIR[`Right${b}`] = new THREE.Vector3(-1, 0, 0);
}
for (const s of ["Left", "Right"]) for (const b of ["UpperLeg", "LowerLeg"]) T_DIR[`${s}${b}`] = new THREE.Vector3(0, -1, 0);
const CHILD = { UpperArm: "LowerArm", LowerArm: "Hand", UpperLeg: "LowerLeg", LowerLeg: "Foot" };

// ---------------------------------------------------------------- scene
const renderer = new THREE.WebGLRenderer({ antialias: true, preserveDrawingBuffer: true });
renderer.setPixelRatio(window.devicePixelRatio);
renderer.setSize(window.innerWidth, window.innerHeight);
document.body.appendChild(renderer.domElement);
const scene = new THREE.Scene();
scene.background = new THREE.Color(0x1d2127);
const camera = new THREE.PerspectiveCamera(35, window.innerWidth / window.innerHeight, 0.05, 100);
camera.position.set(0, 1.2, 4.6);
camera.lookAt(0, 0.9, 0);
scene.add(new THREE.HemisphereLight(0xffffff, 0x404850, 2.2));
const sun = new THREE.DirectionalLight(0xffffff, 2.0);
sun.position.set(2, 4, 3);
scene.add(sun);
const grid = new THREE.GridHelper(8, 16, 0x8090a0, 0x3a424c);
scene.add(grid);
addEventListener("resize", () => {
  camera.aspect = innerWidth / innerHeight;
  camera.updateProjectionMatrix();
  renderer.setSize(innerWidth, innerHeight);
});

// What the page shows and what tools/check_web_example.py reads.
const status = (window.arpose = { model: "loading", socket: "connecting", received: 0, frames: 0, t: null,
  tracking: 0, bonesReceived: 0, bonesDriven: 0, error: null });
const hud = document.getElementById("hud");
function showStatus() {
  hud.textContent = `arpose → three.js · ${status.error ?? `model ${status.model}`} · bridge ${status.socket}` +
    ` · frames ${status.frames}` + (status.t === null ? "" : ` · t ${status.t.toFixed(2)} s`) +
    ` · tracking ${status.tracking} · bones ${status.bonesDriven}/${status.bonesReceived}`;
}

// ---------------------------------------------------------------- the character
let rig = null; // {root, bones: [{bone, hb, restW, parentBone}], map, tFix, hips0}

function buildRig(model) {
  // GLTFLoader drops the characters . : / [ ] from node names (DEF-spine.001 -> DEF-spine001)
  const key = (name) => name.replace(/[\[\].:/]/g, "").toLowerCase();
  const byName = new Map();
  model.traverse((o) => { if (o.isBone) byName.set(key(o.name), o); });
  const map = {};
  for (const hb of Object.keys(PARENTS)) {
    const name = candidates(hb).find((n) => n && byName.has(key(n)));
    if (name) map[hb] = byName.get(key(name));
  }
  const missing = ["Hips", "Spine", "Head", "LeftUpperArm", "RightUpperArm", "LeftUpperLeg", "RightUpperLeg"]
    .filter((b) => !map[b]);
  if (missing.length) throw new Error(`the model has no bone for ${missing.join(", ")}`);
  model.updateMatrixWorld(true);
  const humanoidOf = new Map(Object.entries(map).map(([hb, bone]) => [bone, hb]));
  const bones = [];
  map.Hips.parent.traverse((o) => {
    if (!o.isBone) return;
    bones.push({ bone: o, hb: humanoidOf.get(o) ?? null, restW: o.getWorldQuaternion(new THREE.Quaternion()),
      restL: o.quaternion.clone() });
  });
  const tFix = new Map();
  for (const [hb, dir] of Object.entries(T_DIR)) {
    const bone = map[hb];
    if (!bone) continue;
    const head = bone.getWorldPosition(new THREE.Vector3());
    const child = map[hb.replace(/(UpperArm|LowerArm|UpperLeg|LowerLeg)$/, (p) => CHILD[p])];
    const restDir = child && child !== bone
      ? child.getWorldPosition(new THREE.Vector3()).sub(head).normalize()
      : new THREE.Vector3(0, 1, 0).applyQuaternion(bone.getWorldQuaternion(new THREE.Quaternion()));
    tFix.set(bone, new THREE.Quaternion().setFromUnitVectors(restDir, dir));
  }
  return { root: model, bones, map, tFix, hips0: null, rootPos0: model.position.clone() };
}

const unityToThree = (q) => new THREE.Quaternion(q[0], -q[1], -q[2], q[3]);

function applyFrame(frame) {
  status.frames += 1;
  status.t = frame.t ?? null;
  status.tracking = frame.tracking ?? 0;
  const received = frame.bones ?? {};
  status.bonesReceived = Object.keys(received).length;
  if (!rig || !received.Hips) return;
  // each humanoid bone's rotation from the T-pose, in world (three.js) axes
  const g = {};
  for (const [hb, parent] of Object.entries(PARENTS)) {
    const local = received[hb] ? unityToThree(received[hb].q) : new THREE.Quaternion();
    g[hb] = parent ? g[parent].clone().multiply(local) : local;
  }
  const target = new Map();
  const restOf = new Map(rig.bones.map((b) => [b.bone, b.restW]));
  let driven = 0;
  for (const { bone, hb, restW } of rig.bones) {
    const parentRest = restOf.get(bone.parent);
    const parentTarget = target.get(bone.parent) ?? bone.parent.getWorldQuaternion(new THREE.Quaternion());
    let world;
    if (hb) {
      world = g[hb].clone().multiply(rig.tFix.get(bone) ?? new THREE.Quaternion()).multiply(restW);
      driven += received[hb] ? 1 : 0;
    } else if (parentRest) {
      world = parentTarget.clone().multiply(parentRest.clone().invert()).multiply(restW);
    } else {
      world = restW.clone();
    }
    target.set(bone, world);
    bone.quaternion.copy(parentTarget.clone().invert().multiply(world));
  }
  status.bonesDriven = driven;
  if (ROOT_MOTION) {
    // the root's horizontal motion, and the hips' height above the floor relative to the
    // first frame (the model keeps its own leg length)
    const p = frame.root?.p ?? [0, 0, 0];
    const height = received.Hips.p[1];
    rig.hips0 ??= height;
    rig.root.position.set(rig.rootPos0.x - p[0], rig.rootPos0.y + height - rig.hips0, rig.rootPos0.z + p[2]);
  }
}

// The world positions of a few joints of the model (metres), for checks.
window.arposeJoints = () => Object.fromEntries(["Head", "LeftHand", "RightHand", "LeftFoot", "RightFoot"]
  .filter((hb) => rig?.map[hb]).map((hb) => [hb, rig.map[hb].getWorldPosition(new THREE.Vector3()).toArray()]));

new GLTFLoader().load(
  MODEL_URL,
  (gltf) => {
    try {
      scene.add(gltf.scene);
      rig = buildRig(gltf.scene);
      status.model = `${Object.keys(rig.map).length} humanoid bones`;
    } catch (e) {
      status.error = `${MODEL_URL}: ${e.message}`;
    }
    showStatus();
  },
  undefined,
  (e) => { status.error = `${MODEL_URL} does not load: ${e.message ?? e}`; showStatus(); },
);

// ---------------------------------------------------------------- the stream
let latest = null;
function connect() {
  const ws = new WebSocket(WS_URL);
  ws.onopen = () => { status.socket = "connected"; showStatus(); };
  ws.onmessage = (e) => { latest = JSON.parse(e.data); status.received += 1; };
  ws.onclose = () => { status.socket = `closed, retrying (${WS_URL})`; showStatus(); setTimeout(connect, 1000); };
}
connect();

renderer.setAnimationLoop(() => {
  // only the newest frame counts: a slow page skips frames, it never lags
  // (window.arposePause = true holds the pose: the checker photographs a known frame)
  if (latest && !window.arposePause) {
    applyFrame(latest);
    latest = null;
    showStatus();
  }
  renderer.render(scene, camera);
});
showStatus();
