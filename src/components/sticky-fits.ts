// A settings panel that stays in view while the results scroll — only when it fits the window whole. A taller one
// scrolls with the page instead of inside a box of its own (a filter builder at a panel's foot was found hidden
// below such a box's fold). Svelte action: `<aside use:stickyWhenFits>`; the element gets the class "sticky"
// (position: sticky; top: TOP px in the caller's CSS) while it fits.

/** Room the sticky panel leaves above it for the header (px), and below it. */
export const STICKY_TOP = 70;
const MARGIN = 10;

/** Whether a panel of `height` px fits a window `windowHeight` px tall below the header. */
export function fitsWindow(height: number, windowHeight: number): boolean {
  return height <= windowHeight - STICKY_TOP - MARGIN;
}

export function stickyWhenFits(node: HTMLElement): { destroy(): void } {
  const measure = () => node.classList.toggle('sticky', fitsWindow(node.offsetHeight, window.innerHeight));
  const ro = new ResizeObserver(measure);
  ro.observe(node);
  addEventListener('resize', measure);
  measure();
  return {
    destroy() {
      ro.disconnect();
      removeEventListener('resize', measure);
    },
  };
}
