// The optional API token, kept in localStorage and sent as `Authorization: Bearer`.
const KEY = 'onemap.token';

export function getToken() {
  try { return localStorage.getItem(KEY) ?? ''; } catch { return ''; }
}

function setToken(value) {
  try {
    if (value) localStorage.setItem(KEY, value);
    else localStorage.removeItem(KEY);
  } catch { /* storage off: the token lives for this page only */ }
}

let stateEl = null;

/** The server did not know the token: say so until it changes. */
export function markTokenInvalid() {
  if (!stateEl) return;
  stateEl.textContent = '令牌无效';
  stateEl.className = 'token-state bad';
  stateEl.title = '服务器不认识此令牌：请更正或清空';
}

/** Wires the token field; `onChange` runs after the token changes. */
export function setupToken(input, state, onChange) {
  stateEl = state;
  const show = () => {
    const on = Boolean(getToken());
    state.textContent = on ? '已授权' : '匿名';
    state.className = on ? 'token-state on' : 'token-state';
    state.title = on ? '已使用访问令牌：可见完整姓名与电话' : '未使用令牌：姓名与电话已脱敏';
  };
  input.value = getToken();
  show();
  const apply = () => {
    const value = input.value.trim();
    if (value === getToken() && !state.classList.contains('bad')) return;
    setToken(value);
    show();
    onChange?.();
  };
  input.addEventListener('change', apply);
  input.form?.addEventListener('submit', (e) => { e.preventDefault(); apply(); });
}
