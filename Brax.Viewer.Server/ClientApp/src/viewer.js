// The 3D view: renderer, z-up orbit camera, lights with shadows, the render loop, following a
// body, and PNG capture. It renders on demand (a frame arrived, the camera moved, the size
// changed), so an idle page costs nothing and a slow GPU spends its time on frames that matter.
import * as THREE from 'three';
import { OrbitControls } from 'three/examples/jsm/controls/OrbitControls.js';

// MuJoCo and brax are z-up; this must be set before any object (the camera included) exists.
THREE.Object3D.DEFAULT_UP.set(0, 0, 1);

const SHADOW_HALF_EXTENT = 8;

export class Viewer {
  /** @param {HTMLElement} container */
  constructor(container) {
    this.container = container;
    this.renderer = new THREE.WebGLRenderer({ antialias: true });
    this.renderer.setPixelRatio(Math.min(window.devicePixelRatio, 2));
    this.renderer.shadowMap.enabled = true;
    this.renderer.shadowMap.type = THREE.PCFShadowMap;
    container.appendChild(this.renderer.domElement);

    this.scene = new THREE.Scene();
    this.scene.background = new THREE.Color(0x1d2733);
    this.scene.fog = new THREE.Fog(0x1d2733, 40, 120);

    this.camera = new THREE.PerspectiveCamera(45, 1, 0.01, 500);
    this.camera.position.set(5, 8, 2);
    this.controls = new OrbitControls(this.camera, this.renderer.domElement);
    this.controls.enableDamping = true;
    this.controls.dampingFactor = 0.15;
    this.controls.addEventListener('change', () => this.invalidate());

    this.scene.add(new THREE.HemisphereLight(0xe8eef5, 0x3a3024, 1.6));
    this.sun = new THREE.DirectionalLight(0xffffff, 2.2);
    this.sun.castShadow = true;
    this.sun.shadow.mapSize.set(1024, 1024);
    Object.assign(this.sun.shadow.camera, {
      left: -SHADOW_HALF_EXTENT, right: SHADOW_HALF_EXTENT, top: SHADOW_HALF_EXTENT, bottom: -SHADOW_HALF_EXTENT, near: 0.1, far: 60,
    });
    this.sun.shadow.bias = -0.0005;
    this.scene.add(this.sun, this.sun.target);

    this.content = null;
    this.followed = null;
    this.followLast = new THREE.Vector3();
    /** Callbacks run before each animation frame; one that returns true asks for a render. */
    this.beforeRender = [];
    this.dirty = true;
    this.rendersSinceContent = 0;
    this.frames = 0;
    this.fps = 0;
    this.fpsWindowStart = performance.now();

    this.resizeObserver = new ResizeObserver(() => this.#resize());
    this.resizeObserver.observe(container);
    this.#resize();
    this.renderer.setAnimationLoop(() => this.#tick());
  }

  /** Asks for a render on the next animation frame. */
  invalidate() {
    this.dirty = true;
  }

  /** Shows a built scene (replacing the previous one) and frames the camera on it. */
  setContent(root) {
    if (this.content) this.scene.remove(this.content);
    this.content = root;
    this.followed = null;
    this.rendersSinceContent = 0;
    this.invalidate();
    if (root) {
      this.scene.add(root);
      this.#frame(root);
    }
  }

  /**
   * Moves the camera along with `object` (null stops following). With `recenter` the camera first
   * turns to look at it, keeping its distance.
   */
  follow(object, { recenter = true } = {}) {
    this.followed = object;
    if (object) {
      object.getWorldPosition(this.followLast);
      if (!recenter) return;
      const offset = this.camera.position.clone().sub(this.controls.target);
      this.controls.target.copy(this.followLast);
      this.camera.position.copy(this.followLast).add(offset);
    }
    this.invalidate();
  }

  /** Renders one frame now and returns it as a PNG blob (the drawing buffer is only valid right after a render). */
  capture() {
    this.renderer.render(this.scene, this.camera);
    return new Promise((resolve) => this.renderer.domElement.toBlob(resolve, 'image/png'));
  }

  #frame(root) {
    root.updateMatrixWorld(true);
    // Frame the moving bodies; the floor (often far larger, or infinite) only when there are none.
    const bodies = root.children.filter((child) => child.userData.linkIdx !== undefined);
    const box = new THREE.Box3();
    for (const object of bodies.length > 0 ? bodies : [root]) {
      object.traverse((mesh) => {
        if (mesh.isMesh && !mesh.userData.infinite) box.expandByObject(mesh);
      });
    }
    if (box.isEmpty()) box.set(new THREE.Vector3(-1, -1, 0), new THREE.Vector3(1, 1, 1));
    const center = box.getCenter(new THREE.Vector3());
    const radius = Math.max(0.5, box.getBoundingSphere(new THREE.Sphere()).radius);
    const distance = radius / Math.sin(THREE.MathUtils.degToRad(this.camera.fov / 2)) * 1.1;
    const direction = new THREE.Vector3(0.55, -0.8, 0.45).normalize();
    this.controls.target.copy(center);
    this.camera.position.copy(center).addScaledVector(direction, distance);
    this.camera.near = Math.max(0.005, distance / 1000);
    this.camera.far = Math.max(500, distance * 20);
    this.camera.updateProjectionMatrix();
    this.controls.update();
  }

  #tick() {
    for (const callback of this.beforeRender) {
      if (callback()) this.dirty = true;
    }
    if (this.followed) {
      const now = this.followed.getWorldPosition(new THREE.Vector3());
      const delta = now.clone().sub(this.followLast);
      if (delta.lengthSq() > 0) {
        this.camera.position.add(delta);
        this.controls.target.add(delta);
        this.followLast.copy(now);
        this.dirty = true;
      }
    }
    // Damping keeps the camera moving for a while after the pointer lets go.
    if (this.controls.update()) this.dirty = true;
    if (this.dirty) {
      this.dirty = false;
      // The shadow box travels with what the camera looks at, so shadows stay sharp anywhere.
      this.sun.target.position.copy(this.controls.target);
      this.sun.position.copy(this.controls.target).add(new THREE.Vector3(4, -3, 10));
      this.renderer.render(this.scene, this.camera);
      this.rendersSinceContent += 1;
      this.frames += 1;
    }
    this.#countFrame();
  }

  #countFrame() {
    const now = performance.now();
    if (now - this.fpsWindowStart >= 1000) {
      this.fps = (this.frames * 1000) / (now - this.fpsWindowStart);
      this.frames = 0;
      this.fpsWindowStart = now;
    }
  }

  #resize() {
    const width = Math.max(1, this.container.clientWidth);
    const height = Math.max(1, this.container.clientHeight);
    this.renderer.setSize(width, height, false);
    this.camera.aspect = width / height;
    this.camera.updateProjectionMatrix();
    this.invalidate();
  }
}
