// Click to select a body: a click (not a drag of the orbit camera) casts a ray into the scene and
// picks the link that owns the mesh it hits; static world geoms are not selectable.
import * as THREE from 'three';

const CLICK_TOLERANCE_PX = 5;
const HIGHLIGHT = new THREE.Color(0x553300);

export class Picker {
  /**
   * @param {import('./viewer.js').Viewer} viewer
   * @param {(linkIdx: number) => void} onPick called with the link index, or -1 for empty space
   */
  constructor(viewer, onPick) {
    this.viewer = viewer;
    this.onPick = onPick;
    this.raycaster = new THREE.Raycaster();
    this.selected = null;
    this.down = null;
    const canvas = viewer.renderer.domElement;
    canvas.addEventListener('pointerdown', (e) => { this.down = { x: e.clientX, y: e.clientY }; });
    canvas.addEventListener('pointerup', (e) => this.#pointerUp(e));
  }

  #pointerUp(event) {
    const down = this.down;
    this.down = null;
    if (!down || Math.hypot(event.clientX - down.x, event.clientY - down.y) > CLICK_TOLERANCE_PX) return;
    const content = this.viewer.content;
    if (!content) return;

    const rect = this.viewer.renderer.domElement.getBoundingClientRect();
    const ndc = new THREE.Vector2(
      ((event.clientX - rect.left) / rect.width) * 2 - 1,
      -((event.clientY - rect.top) / rect.height) * 2 + 1,
    );
    this.raycaster.setFromCamera(ndc, this.viewer.camera);
    for (const hit of this.raycaster.intersectObject(content, true)) {
      let object = hit.object;
      while (object && object.userData.linkIdx === undefined) object = object.parent;
      if (object) {
        this.onPick(object.userData.linkIdx);
        return;
      }
    }
    this.onPick(-1);
  }

  /** Highlights `link` (a link group) and un-highlights the previous one. */
  highlight(link) {
    this.#tint(this.selected, false);
    this.selected = link;
    this.#tint(link, true);
    this.viewer.invalidate();
  }

  #tint(link, on) {
    link?.traverse((object) => {
      if (object.isMesh && object.material.emissive) object.material.emissive.copy(on ? HIGHLIGHT : new THREE.Color(0));
    });
  }
}
