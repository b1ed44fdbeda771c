/** Whether the window is on screen (not minimised, not a background tab): a session is only "read" when it is. */

export class PageVisibility {
  visible = $state(typeof document === 'undefined' || document.visibilityState !== 'hidden')
  #onChange = () => (this.visible = document.visibilityState !== 'hidden')

  constructor() {
    if (typeof document !== 'undefined') document.addEventListener('visibilitychange', this.#onChange)
  }

  dispose(): void {
    if (typeof document !== 'undefined') document.removeEventListener('visibilitychange', this.#onChange)
  }
}
