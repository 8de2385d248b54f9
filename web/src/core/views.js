// Which view the page shows, the dispatch map or the leaders' dashboard, chosen by the address
// (#dashboard), so either can be bookmarked and the back button goes back; the tabs in the top
// bar are plain links to them.

/** @typedef {'map' | 'dashboard'} View */

/** @param {string} hash e.g. location.hash @returns {View} */
export const viewOf = (hash) => (hash === '#dashboard' ? 'dashboard' : 'map');

/**
 * Shows the view the address names now and whenever it changes: `body[data-view]` for the CSS,
 * `aria-current` on the tabs, then `onShow`.
 * @param {(view: View) => void} onShow
 * @returns {{ go: (view: View) => void }}
 */
export function mountViewTabs(onShow) {
  const tabs = [...document.querySelectorAll('.view-tabs a[data-view]')];
  const show = () => {
    const view = viewOf(location.hash);
    if (document.body.dataset.view === view) return;
    document.body.dataset.view = view;
    for (const tab of tabs) tab.setAttribute('aria-current', tab instanceof HTMLElement && tab.dataset.view === view ? 'page' : 'false');
    onShow(view);
  };
  window.addEventListener('hashchange', show);
  show();
  return {
    go(view) {
      location.hash = view === 'dashboard' ? '#dashboard' : '#map';
      show(); // now, not at the hashchange event: the caller acts on the view next
    },
  };
}
