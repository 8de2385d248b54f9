// Phone or desktop: the page lays itself out differently below this width.

/** Keep in step with the `@media (max-width: 640px)` rules in app.css. */
const NARROW = '(max-width: 640px)';

export const isNarrow = () => window.matchMedia(NARROW).matches;
