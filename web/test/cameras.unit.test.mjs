// The cameras caption counts every camera in the radius, not the few listed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CAMERA_RADIUS_M, CAMERAS_LISTED, cameraCaption } from '../src/views/dispatch/cameras.js';

test('more cameras in the radius than listed: says both', () => {
  assert.equal(cameraCaption(44, 5, 300), '附近摄像头（300 米内 44 个，最近 5 个如下）');
});

test('all of them listed: one count', () => {
  assert.equal(cameraCaption(3, 3, 300), '附近摄像头（300 米内 3 个）');
  assert.equal(cameraCaption(5, 5, 300), '附近摄像头（300 米内 5 个）');
});

test('none in the radius', () => {
  assert.equal(cameraCaption(0, 0, 300), '附近摄像头（300 米内没有）');
});

test('the page asks for the nearest 5 within 300 m', () => {
  assert.equal(CAMERA_RADIUS_M, 300);
  assert.equal(CAMERAS_LISTED, 5);
  assert.equal(cameraCaption(12, CAMERAS_LISTED, CAMERA_RADIUS_M), '附近摄像头（300 米内 12 个，最近 5 个如下）');
});
