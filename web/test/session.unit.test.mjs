// The state store, and what the page makes of the session in it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { credentialsChanged } from '../src/core/session.js';
import { createStore } from '../src/core/store.js';
import { tokenStatus } from '../src/core/token-field.js';

test('store: set merges, listeners hear changes with the previous state, unsubscribe stops them', () => {
  const store = createStore({ token: '', rejected: false });
  const heard = [];
  const stop = store.subscribe((s, prev) => heard.push([s.token, prev.token]));
  store.set({ token: 'a' });
  assert.deepEqual(store.get(), { token: 'a', rejected: false });
  store.set({ token: 'a' });
  assert.deepEqual(heard, [['a', '']], 'setting the same value is not a change');
  stop();
  store.set({ token: 'b' });
  assert.equal(heard.length, 1);
  assert.ok(Object.isFrozen(store.get()), 'state is changed through set only');
});

test('credentialsChanged: another token, or a refused one entered again, asks again', () => {
  const s = (token, rejected = false) => ({ token, rejected });
  assert.equal(credentialsChanged(s('a'), s('')), true);
  assert.equal(credentialsChanged(s(''), s('a', true)), true);
  assert.equal(credentialsChanged(s('a'), s('a', true)), true, 'retry after a refusal');
  assert.equal(credentialsChanged(s('a', true), s('a')), false, 'the refusal itself');
});

test('tokenStatus: anonymous, authorised, refused', () => {
  assert.equal(tokenStatus({ token: '', rejected: false }).text, '匿名');
  assert.equal(tokenStatus({ token: 'x', rejected: false }).text, '已授权');
  assert.equal(tokenStatus({ token: 'x', rejected: true }).tone, 'bad');
  assert.equal(tokenStatus({ token: 'x', rejected: true }).text, '令牌无效');
});
