// One three.js mesh per Brax geom. Sizes follow MuJoCo's geom_size (see the scene format notes):
// capsule and cylinder axes are local +z, box sizes are half-extents, plane sizes half-extents
// with 0 meaning infinite.
import * as THREE from 'three';

const BRAX_BROWN = [0.4, 0.33, 0.26];
const INFINITE_PLANE_SIZE = 2000;
const CHECKER_METRES = 1;

// three.js builds capsules and cylinders along +y; MuJoCo's axis is +z.
const Y_TO_Z = new THREE.Quaternion().setFromAxisAngle(new THREE.Vector3(1, 0, 0), Math.PI / 2);

/** Quaternion from Brax's [w, x, y, z]; a zero or non-finite one (q = 0 initial states) becomes identity. */
export function quaternionFromBrax(rot, target = new THREE.Quaternion()) {
  const [w, x, y, z] = rot ?? [];
  const norm = Math.hypot(w, x, y, z);
  if (!Number.isFinite(norm) || norm < 1e-9) return target.identity();
  return target.set(x / norm, y / norm, z / norm, w / norm);
}

/** Whether a Brax [x, y, z] is usable as a position. */
export function isFiniteVector(pos) {
  return Array.isArray(pos) && pos.length >= 3 && Number.isFinite(pos[0]) && Number.isFinite(pos[1]) && Number.isFinite(pos[2]);
}

function colorOf(geom) {
  const rgba = Array.isArray(geom.rgba) ? geom.rgba.map(Number) : [];
  const rgb = rgba.length >= 3 && rgba.slice(0, 3).every(Number.isFinite) ? rgba.slice(0, 3) : BRAX_BROWN;
  // Alpha is ignored, as in brax's own viewer.
  return new THREE.Color().setRGB(...rgb.map((c) => Math.min(1, Math.max(0, c))), THREE.SRGBColorSpace);
}

function checkerTexture(color) {
  const light = color.clone().lerp(new THREE.Color(1, 1, 1), 0.25);
  const dark = color.clone().multiplyScalar(0.7);
  const data = new Uint8Array(4 * 4);
  [light, dark, dark, light].forEach((c, i) => {
    const srgb = c.clone().convertLinearToSRGB();
    data.set([srgb.r * 255, srgb.g * 255, srgb.b * 255, 255], i * 4);
  });
  const texture = new THREE.DataTexture(data, 2, 2);
  texture.colorSpace = THREE.SRGBColorSpace;
  texture.magFilter = THREE.NearestFilter;
  texture.minFilter = THREE.LinearMipmapLinearFilter;
  texture.generateMipmaps = true;
  texture.wrapS = texture.wrapT = THREE.RepeatWrapping;
  const tiles = INFINITE_PLANE_SIZE / (2 * CHECKER_METRES);
  texture.repeat.set(tiles, tiles);
  texture.anisotropy = 4;
  texture.needsUpdate = true;
  return texture;
}

function meshGeometry(geom) {
  const vertices = new Float32Array(geom.vert.flat().map(Number));
  const indices = geom.face.flat();
  const geometry = new THREE.BufferGeometry();
  geometry.setAttribute('position', new THREE.BufferAttribute(vertices, 3));
  // 32-bit indices past 65,535 vertices (16-bit ones would wrap and garble the mesh).
  const IndexArray = geom.vert.length > 65535 ? Uint32Array : Uint16Array;
  geometry.setIndex(new THREE.BufferAttribute(IndexArray.from(indices), 1));
  geometry.computeVertexNormals();
  return geometry;
}

/**
 * Builds the mesh of one geom at its pose in its link's frame, or returns null for a type the
 * page cannot draw (HeightMap: brax exports no height data).
 * @returns {THREE.Mesh | null}
 */
export function createGeomMesh(geom) {
  const size = (geom.size ?? []).map(Number);
  const color = colorOf(geom);
  let geometry;
  let material = new THREE.MeshPhongMaterial({ color, shininess: 40 });
  let alongZ = false;
  let infinite = false;

  switch (geom.name) {
    case 'Plane':
      if (!(size[0] > 0) || !(size[1] > 0)) {
        infinite = true;
        geometry = new THREE.PlaneGeometry(INFINITE_PLANE_SIZE, INFINITE_PLANE_SIZE);
        material = new THREE.MeshPhongMaterial({ map: checkerTexture(color), shininess: 5 });
      } else {
        geometry = new THREE.PlaneGeometry(2 * size[0], 2 * size[1]);
        material.shininess = 5;
      }
      break;
    case 'Box':
      geometry = new THREE.BoxGeometry(2 * size[0], 2 * size[1], 2 * size[2]);
      break;
    case 'Sphere':
      geometry = new THREE.SphereGeometry(size[0], 32, 16);
      break;
    case 'Capsule':
      geometry = new THREE.CapsuleGeometry(size[0], 2 * size[1], 8, 24);
      alongZ = true;
      break;
    case 'Cylinder':
      geometry = new THREE.CylinderGeometry(size[0], size[0], 2 * size[1], 32);
      alongZ = true;
      break;
    case 'Mesh':
      geometry = meshGeometry(geom);
      material.flatShading = true;
      break;
    default:
      return null;
  }

  const mesh = new THREE.Mesh(geometry, material);
  mesh.name = geom.name;
  mesh.userData.geomType = geom.name;
  mesh.userData.infinite = infinite;
  if (isFiniteVector(geom.pos)) mesh.position.set(geom.pos[0], geom.pos[1], geom.pos[2]);
  quaternionFromBrax(geom.rot, mesh.quaternion);
  if (alongZ) mesh.quaternion.multiply(Y_TO_Z);
  mesh.castShadow = geom.name !== 'Plane';
  mesh.receiveShadow = true;
  return mesh;
}
