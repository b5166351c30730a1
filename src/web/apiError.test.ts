import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fieldLabel } from '../domain/field-names.ts';
import { ApiError, refusalText } from './apiError.ts';

// As the server answers a refused point: the message names the field by its key, for API tools.
const refusedTeam = () =>
  new ApiError(400, 'VALIDATION', '输入有误，请检查标出的字段（samplerUserIds：用户不存在或不能在此采样）', {
    samplerUserIds: '用户不存在或不能在此采样',
  });

describe('a refusal as a pop-up says it', () => {
  test('names a field no form shows in words, never by its API key', () => {
    const text = refusalText(refusedTeam(), 'zh-CN');
    assert.equal(text, '采样人员：用户不存在或不能在此采样');
    assert.doesNotMatch(text, /samplerUserIds/);
  });

  test('in English too', () => {
    const error = new ApiError(
      400,
      'VALIDATION',
      'Invalid input: check the marked fields (tubeCode: Too long)',
      {
        tubeCode: 'Too long',
        'grants.0.orgUnitId': 'Unknown unit',
      },
    );
    assert.equal(refusalText(error, 'en'), 'Tube: Too long; Grants #1 Unit: Unknown unit');
  });

  test('says the first field message when the form shows them all, and only the others otherwise', () => {
    const error = new ApiError(400, 'VALIDATION', '输入有误（name：不能为空）', {
      name: '不能为空',
      samplerUserIds: '用户不存在',
    });
    assert.equal(
      refusalText(error, 'zh-CN', () => true),
      '不能为空',
    );
    assert.equal(
      refusalText(error, 'zh-CN', (field) => field === 'name'),
      '采样人员：用户不存在',
    );
  });

  test('a field without a name is said by its message alone', () => {
    const error = new ApiError(400, 'VALIDATION', '输入有误（frobnicate：太长）', { frobnicate: '太长' });
    assert.equal(refusalText(error, 'zh-CN'), '太长');
  });

  test('other refusals say their message, fields or not', () => {
    const conflict = new ApiError(409, 'CONFLICT', '该采样管已封管，请换新管', {
      tubeCode: '该采样管已封管，请换新管',
    });
    assert.equal(refusalText(conflict, 'zh-CN'), '该采样管已封管，请换新管');
    assert.equal(refusalText(new Error('网络不可用'), 'zh-CN'), '网络不可用');
  });
});

test('nested fields are named part by part, or not at all', () => {
  assert.equal(fieldLabel('grants.1.orgUnitId', 'zh-CN'), '授权（第2条）单位');
  assert.equal(fieldLabel('grants.1.nonsense', 'zh-CN'), null);
});
