import { TerraformOutput, TerraformStack, Testing } from 'cdktf';
import { policyJson, tfLiteral, tlsOnlyStatement, trustPolicy } from '../../infra/tf';
import { testApp } from './fixture';

describe('tfLiteral', () => {
  it('escapes Terraform template sequences and nothing else', () => {
    expect(tfLiteral("a ${b} %{c} $d {e} '$'")).toBe("a $${b} %%{c} $d {e} '$'");
    expect(tfLiteral('$${x}')).toBe('$$${x}');
    expect(tfLiteral('')).toBe('');
  });

  it('survives synthesis unchanged (cdktf does not unescape it)', () => {
    const stack = new TerraformStack(testApp(), 'stack');
    new TerraformOutput(stack, 'o', { value: tfLiteral('dt=${dt}') });
    const text = Testing.synth(stack);
    expect(JSON.parse(text).output.o.value).toBe('dt=$${dt}');
  });
});

describe('policy helpers', () => {
  it('policyJson is a plain IAM document', () => {
    expect(JSON.parse(policyJson([{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' }]))).toEqual({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' }],
    });
  });

  it('trustPolicy lists the services', () => {
    expect(JSON.parse(trustPolicy(['a.amazonaws.com'])).Statement[0]).toEqual({
      Effect: 'Allow',
      Principal: { Service: ['a.amazonaws.com'] },
      Action: 'sts:AssumeRole',
    });
  });

  it('trustPolicy adds a condition only when given one', () => {
    const st = JSON.parse(trustPolicy(['a.amazonaws.com'], { StringEquals: { 'aws:SourceAccount': '123456789012' } })).Statement[0];
    expect(st.Condition).toEqual({ StringEquals: { 'aws:SourceAccount': '123456789012' } });
    expect('Condition' in JSON.parse(trustPolicy(['a.amazonaws.com'])).Statement[0]).toBe(false);
  });

  it('tlsOnlyStatement denies every non-TLS request on the bucket and its objects', () => {
    expect(tlsOnlyStatement('arn:aws:s3:::b')).toEqual({
      Sid: 'DenyInsecureTransport',
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:*',
      Resource: ['arn:aws:s3:::b', 'arn:aws:s3:::b/*'],
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    });
  });
});
