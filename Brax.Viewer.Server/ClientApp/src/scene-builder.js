// Builds the three.js scene graph from a Brax system JSON (brax >= 0.10; see the scene format
// notes). Geoms are placed by their link_idx, never by the order or names of the groups: links
// without geoms still own a slot in every frame, and a group key says nothing about its index.
import * as THREE from 'three';
import { createGeomMesh, isFiniteVector, quaternionFromBrax } from './geometry.js';

/** Brax's names may hold '/', which three.js reads as a path separator in object names. */
export function objectName(braxName) {
  return braxName.replaceAll('/', '_');
}

/** The per-step transforms as a list, whether states.x is a list (brax >= 0.11) or stacked (0.10). */
export function stateSteps(system) {
  const x = system?.states?.x;
  if (Array.isArray(x)) return x;
  if (x && Array.isArray(x.pos)) return x.pos.map((pos, t) => ({ pos, rot: x.rot?.[t] ?? [] }));
  return [];
}

/** Sets a link object's pose from Brax pos [x,y,z] and rot [w,x,y,z]; non-finite values are skipped. */
export function setPose(object, pos, rot) {
  if (isFiniteVector(pos)) object.position.set(pos[0], pos[1], pos[2]);
  if (Array.isArray(rot) && rot.length >= 4) quaternionFromBrax(rot, object.quaternion);
}

/**
 * @param {object} system the system JSON
 * @param {{links: number}} info link count from the server's scene info
 * @returns {{root: THREE.Group, world: THREE.Group, links: (THREE.Group|null)[], bodies: {name: string, linkIdx: number, object: THREE.Group}[], notices: string[]}}
 */
export function buildScene(system, info) {
  const root = new THREE.Group();
  root.name = 'brax';
  const world = new THREE.Group();
  world.name = 'world';
  root.add(world);

  const linkCount = info?.links ?? (system.link_names?.length ?? 0);
  const links = new Array(linkCount).fill(null);
  const linkNames = system.link_names ?? [];
  const notices = [];
  let heightMaps = 0;
  const infinitePlanes = new Set();

  for (const [groupName, geoms] of Object.entries(system.geoms ?? {})) {
    for (const geom of geoms) {
      const linkIdx = Number.isInteger(geom.link_idx) ? geom.link_idx : -1;
      if (geom.name === 'HeightMap') {
        heightMaps += 1;
        continue;
      }

      const mesh = createGeomMesh(geom);
      if (!mesh) continue;

      if (linkIdx < 0) {
        // Batched scenes repeat the floor once per env: coplanar copies would z-fight.
        if (mesh.userData.infinite) {
          const key = `${mesh.position.toArray().map((v) => v.toFixed(4))}|${mesh.quaternion.toArray().map((v) => v.toFixed(4))}`;
          if (infinitePlanes.has(key)) continue;
          infinitePlanes.add(key);
        }
        world.add(mesh);
        continue;
      }

      if (linkIdx >= linkCount) continue;
      let link = links[linkIdx];
      if (!link) {
        link = new THREE.Group();
        // The geoms group is named after its link; fall back to link_names for clarity.
        const name = groupName || linkNames[linkIdx] || `link ${linkIdx}`;
        link.name = objectName(name);
        link.userData = { braxName: name, linkIdx };
        links[linkIdx] = link;
        root.add(link);
      }
      link.add(mesh);
    }
  }

  if (heightMaps > 0) {
    notices.push(`${heightMaps} HeightMap geom${heightMaps > 1 ? 's are' : ' is'} not drawn (brax exports no height data)`);
  }

  // Only the first state is the initial pose: later states are never played back, so nothing
  // can overwrite live frames.
  const first = stateSteps(system)[0];
  if (first) {
    links.forEach((link, i) => link && setPose(link, first.pos?.[i], first.rot?.[i]));
  }

  const bodies = links
    .map((object, linkIdx) => object && { name: object.userData.braxName, linkIdx, object })
    .filter(Boolean);
  return { root, world, links, bodies, notices };
}

/** Disposes GPU resources of a built scene. */
export function disposeScene(built) {
  built?.root.traverse((object) => {
    if (object.isMesh) {
      object.geometry.dispose();
      object.material.map?.dispose();
      object.material.dispose();
    }
  });
}
