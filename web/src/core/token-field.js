// The token field in the top bar. On phones the field folds into a menu behind a button that
// still says whether the page calls anonymously, so the bar fits on one line.
import { $, $as } from './dom.js';

/** @typedef {import('./session.js').Session} Session */

/**
 * What the page says about the session: a short label, a tone for its colour and a tooltip.
 * @param {Readonly<Session>} session
 * @returns {{ text: string, tone: 'anonymous' | 'on' | 'bad', title: string }}
 */
export function tokenStatus({ token, rejected }) {
  if (!token) return { text: '匿名', tone: 'anonymous', title: '未使用令牌：姓名与电话已脱敏' };
  if (rejected) return { text: '令牌无效', tone: 'bad', title: '服务器不认识此令牌：请更正或清空' };
  return { text: '已授权', tone: 'on', title: '已使用访问令牌：可见完整姓名与电话' };
}

/** @param {import('./session.js').SessionStore} session */
export function mountTokenField(session) {
  const bar = $('.topbar');
  const form = $as('#token-form', HTMLFormElement);
  const input = $as('#token', HTMLInputElement);
  const toggle = $as('#token-toggle', HTMLButtonElement);
  const labels = [$('#token-state'), toggle];

  /** @param {Readonly<Session>} s */
  const show = (s) => {
    const { text, tone, title } = tokenStatus(s);
    for (const el of labels) {
      el.textContent = text;
      el.dataset.tone = tone;
      el.title = title;
    }
  };
  /** @param {boolean} open */
  const setMenu = (open) => {
    bar.classList.toggle('menu-open', open);
    toggle.setAttribute('aria-expanded', String(open));
    if (open) input.focus();
  };
  // The same token entered again is a retry only when the server refused it.
  const apply = () => {
    const token = input.value.trim();
    const { token: current, rejected } = session.get();
    if (token !== current || rejected) session.set({ token, rejected: false });
  };

  input.value = session.get().token;
  show(session.get());
  session.subscribe(show);
  input.addEventListener('change', apply);
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') apply();
    if (e.key === 'Enter' || e.key === 'Escape') setMenu(false);
  });
  form.addEventListener('submit', (e) => e.preventDefault()); // Enter is handled above: stay on the page
  toggle.addEventListener('click', () => setMenu(!bar.classList.contains('menu-open')));
}
