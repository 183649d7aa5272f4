/**
 * What stands where a photo's picture is not shown (not decoded yet, failed, or gone): a picture
 * outline drawn as SVG. Not an emoji (🖼, before): a glyph the page's fonts lack sends the browser
 * looking through the installed fonts for a fallback the first time it lays one out (the library
 * grid's first scroll showed up to 9 ms of text shaping in a Chromium trace), and on a machine
 * with no emoji font (this project's test machines) it drew an empty box.
 */
export function PhotoPlaceholder() {
  return (
    <svg
      className="photo-placeholder"
      aria-hidden="true"
      focusable="false"
      viewBox="0 0 24 24"
      width="32"
      height="32"
      data-testid="photo-placeholder"
    >
      <rect x="3" y="5" width="18" height="14" rx="2" fill="none" stroke="currentColor" />
      <circle cx="8.5" cy="9.5" r="1.5" fill="currentColor" />
      <path d="M4 17l5-5 3.5 3.5L15 13l5 4" fill="none" stroke="currentColor" />
    </svg>
  );
}
