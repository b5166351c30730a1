import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fieldLabel, INPUT_REFUSED } from '../domain/field-names.ts';
import { ApiError, refusalText } from './apiError.ts';

// As the server answers a refusal of input: its message, then its first field by the API key.
const refused = (fields: Record<string, string>, message = INPUT_REFUSED.zh) => {
  const [key, text] = Object.entries(fields)[0] as [string, string];
  return new ApiError(400, 'VALIDATION', `${message}（${key}：${text}）`, fields);
};

describe('a refusal as a pop-up says it', () => {
  test('names a field no form shows in words, never by its API key', () => {
    const text = refusalText(refused({ samplerUserIds: '用户不存在或不能在此采样' }), 'zh-CN');
    assert.equal(text, '采样人员：用户不存在或不能在此采样');
    assert.doesNotMatch(text, /samplerUserIds/);
  });

  test('in English too', () => {
    const error = new ApiError(400, 'VALIDATION', `${INPUT_REFUSED.en} (tubeCode: Too long)`, {
      tubeCode: 'Too long',
      'grants.0.orgUnitId': 'Unknown unit',
    });
    assert.equal(refusalText(error, 'en'), 'Tube: Too long; Grants #1 Unit: Unknown unit');
  });

  test('says the first field message when the form shows them all, and only the others otherwise', () => {
    const error = refused({ name: '不能为空', samplerUserIds: '用户不存在' });
    assert.equal(
      refusalText(error, 'zh-CN', () => true),
      '不能为空',
    );
    assert.equal(
      refusalText(error, 'zh-CN', (field) => field === 'name'),
      '采样人员：用户不存在',
    );
  });

  test('a message of its own is kept, with the field it names in words', () => {
    const file = refused({ file: '无法读取该文件' }, '文件不是有效的 Excel（.xlsx）文件，请使用下载的模板');
    assert.equal(
      refusalText(file, 'zh-CN'),
      '文件不是有效的 Excel（.xlsx）文件，请使用下载的模板（文件：无法读取该文件）',
    );
    assert.equal(
      refusalText(file, 'zh-CN', () => true),
      '文件不是有效的 Excel（.xlsx）文件，请使用下载的模板',
    );
    // A field whose message is the refusal's own is not said twice.
    assert.equal(refusalText(refused({ personCode: '核酸码无效' }, '核酸码无效'), 'zh-CN'), '核酸码无效');
  });

  test('a field without a name is said by its message alone', () => {
    assert.equal(refusalText(refused({ frobnicate: '太长' }), 'zh-CN'), '太长');
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
  assert.equal(fieldLabel('grants.0.1', 'en'), 'Grants #1 #2');
  assert.equal(fieldLabel('grants.1.nonsense', 'zh-CN'), null);
});
