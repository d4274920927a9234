import { describe, expect, it } from 'vitest';
import { codes, demo, useHarness } from '../support/harness.js';

const h = useHarness();
const { tokens } = demo.moltaro;
const as = (token: string) => ({ 'x-moltaro-authorization': `Bearer ${token}` });
const QUERY =
  '{ workspaceAccountProfile { userId userName email firstName lastName userType warnings { code message target field type severity } } }';

describe('moltaro workspaceAccountProfile', () => {
  it("decodes the envelope's Data into fields and its Warnings into warnings", async () => {
    const raw = (await fetch(`${h.sandbox.urlOf('moltaro')}/api/workspace/account/profile`, {
      headers: { authorization: `Bearer ${tokens.demo}` },
    }).then((r) => r.json())) as { Data: Record<string, unknown>; Warnings: Array<Record<string, unknown>> };
    h.sandbox.clearLog();
    const res = await h.gql(QUERY, { headers: as(tokens.demo) });
    expect(res.errors).toBeUndefined();
    expect(res.data).toEqual({
      workspaceAccountProfile: {
        userId: raw.Data.UserId,
        userName: raw.Data.UserName,
        email: raw.Data.Email ?? null,
        firstName: raw.Data.FirstName ?? null,
        lastName: raw.Data.LastName ?? null,
        userType: raw.Data.UserType,
        warnings: raw.Warnings.map((w) => ({
          code: w.Code,
          message: w.Message,
          target: w.Target ?? null,
          field: w.Field ?? null,
          type: w.Type ?? null,
          severity: w.Severity ?? null,
        })),
      },
    });
    expect(raw.Warnings.length).toBeGreaterThan(0);
  });

  it('reads null fields and null Warnings as nulls and an empty list', async () => {
    const res = await h.gql<{ workspaceAccountProfile: { warnings: unknown[] } }>(QUERY, {
      headers: as(tokens.sparse),
    });
    expect(res.errors).toBeUndefined();
    expect(res.data?.workspaceAccountProfile.warnings).toEqual([]);
  });

  it('sends the credential in the Authorization header only, never as access_token', async () => {
    await h.gql(QUERY, { headers: as(tokens.demo) });
    const [request] = h.sandbox.requests;
    expect(request?.headers.authorization).toBe(`Bearer ${tokens.demo}`);
    expect(request?.query).toBe('');
    expect(request?.url).not.toContain(tokens.demo);
  });

  it.each([
    ['a 403 problem+json (service account)', tokens.serviceAccount, 'FORBIDDEN', /service account/i],
    ['a 404 envelope', tokens.notFound, 'NOT_FOUND', /./],
    ['a 200 with Success: false', tokens.failing, 'UPSTREAM_ERROR', /moltaro reported an error/],
  ])('turns %s into an error, never data', async (_what, token, code, message) => {
    const res = await h.gql(QUERY, { headers: as(token) });
    expect(res.data).toEqual({ workspaceAccountProfile: null });
    expect(res.errors?.[0]?.extensions).toMatchObject({ code, upstream: { source: 'moltaro' } });
    expect(res.errors?.[0]?.message).toMatch(message);
  });

  it('treats non-empty Errors as an error even when Success is true', async () => {
    const body = {
      Data: { UserId: 'u1' },
      Errors: [{ Code: 'E42', Message: 'quota exceeded' }],
      Warnings: null,
      Success: true,
    };
    h.sandbox.inject({ source: 'moltaro', fault: { body: JSON.stringify(body) } });
    const res = await h.gql(QUERY, { headers: as(tokens.demo) });
    expect(res.data).toEqual({ workspaceAccountProfile: null });
    expect(codes(res)).toEqual(['UPSTREAM_ERROR']);
    expect(res.errors?.[0]?.message).toContain('E42: quota exceeded');
  });

  it('reads the profile once per request, whatever the aliases', async () => {
    await h.gql('{ a: workspaceAccountProfile { userId } b: workspaceAccountProfile { email } }', {
      headers: as(tokens.demo),
    });
    expect(h.calls('moltaro')).toEqual(['GET /api/workspace/account/profile']);
  });
});
