// Device memory owned by one piece of work: everything allocated through a scope is freed by
// dispose(), which callers put in a `finally`, so an error or a cancellation leaks nothing.
import type { DeviceBuffer, GemmLaunch, MqaLaunch, PeerLaunch } from '../../../../native/index';
import type { AddonModule } from '../addon';

type Disposable = { dispose(): void };

export class DeviceScope {
  private readonly owned: Disposable[] = [];
  constructor(private readonly addon: AddonModule) {}

  alloc(bytes: number): DeviceBuffer {
    // A zero-byte request still gets a real (minimal) allocation, so every pointer is valid.
    const buf = this.addon.alloc(Math.max(bytes, 16));
    this.owned.push(buf);
    return buf;
  }

  /** Takes ownership of a launch handle (GEMM, MQA logits or peer). */
  adopt<T extends GemmLaunch | PeerLaunch | MqaLaunch>(handle: T): T {
    this.owned.push(handle);
    return handle;
  }

  /** Frees in reverse order of allocation; keeps going past a failing dispose. */
  dispose(): void {
    while (this.owned.length > 0) {
      const item = this.owned.pop()!;
      try {
        item.dispose();
      } catch {
        /* a lost context cannot free anything; the process restart will */
      }
    }
  }
}
