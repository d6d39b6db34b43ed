// GitHub's naming rules and the REST paths built from names (src/github/destinations.ts). A name becomes one
// segment of a URL path: whatever a user writes, the request must go to the endpoint of that name and no other.
// The path goes through Octokit's route parsing (@octokit/endpoint, as the action's client uses it) and then
// WHATWG URL parsing (what fetch does), which resolves dot segments: '.', '..' and their %2e spellings.

import { endpoint } from '@octokit/endpoint';
import fc from 'fast-check';
import { ActionError } from '../../src/errors.js';
import {
  apiPath,
  collectionPath,
  parseEnvironmentName,
  parseOrganization,
  parseRepository,
} from '../../src/github/destinations.js';

/** Fixed, so that a failure replays; fast-check prints the seed and the shrunk counterexample on failure. */
const SEED = 20_261_117;
const NUM_RUNS = 2000;

/** A URL's dot segments, written down independently of the code (https://url.spec.whatwg.org/#single-dot-path-segment). */
const DOT_SEGMENTS = new Set(['.', '..', '%2e', '.%2e', '%2e.', '%2e%2e']);
const isDotSegment = (text: string): boolean => DOT_SEGMENTS.has(text.toLowerCase());

/** The path segments of the URL a request for `path` goes to, as fetch resolves it, each decoded. */
function requestedSegments(path: string): string[] {
  const { url } = endpoint(`GET ${path}`, { baseUrl: 'https://ghe.example/api/v3', headers: {} });
  const pathname = new URL(url).pathname;
  // '', 'api', 'v3', then the path's own segments.
  return pathname.split('/').slice(3).map(decodeURIComponent);
}

/** Strings made of the characters that mean something in a URL path, and of any others. */
const nameLike = fc.oneof(
  fc.string({ unit: fc.constantFrom('.', '/', '%', '2', 'e', 'E', '?', '#', '\\', ' ', 'a', ';', '&', '+') }),
  fc.string({ unit: 'grapheme' }),
  fc.constantFrom('.', '..', '%2e', '%2E%2e', '.%2E', '%2e.', '', 'a/../b', '%252e%252e'),
);

describe('apiPath', () => {
  test('every name lands in its own segment, decoded back to itself, or is refused (empty, . or ..)', () => {
    fc.assert(
      fc.property(nameLike, (name) => {
        let path: string;
        try {
          path = apiPath('repos', 'acme', 'app', 'environments', name, 'secrets', 'public-key');
        } catch (error) {
          expect(error).toBeInstanceOf(ActionError);
          expect((error as ActionError).code).toBe('unsafe-path-segment');
          expect(['', '.', '..']).toContain(name);
          return;
        }
        expect(['', '.', '..']).not.toContain(name);
        expect(requestedSegments(path)).toEqual([
          'repos',
          'acme',
          'app',
          'environments',
          name,
          'secrets',
          'public-key',
        ]);
      }),
      { seed: SEED, numRuns: NUM_RUNS },
    );
  });

  test('what percent-encoding leaves a dot segment is refused; anything else is encoded', () => {
    // encodeURIComponent leaves '.' as it is: '.' and '..' stay dot segments. A '%2e' written in a name is
    // encoded to '%252e', which a URL does not resolve (the input rules refuse it all the same).
    for (const name of ['.', '..', '']) {
      expect(() => apiPath('orgs', name)).toThrow(/cannot be a segment of a GitHub API path/);
    }
    expect(apiPath('orgs', 'a/../b', 'x?y#z')).toBe('/orgs/a%2F..%2Fb/x%3Fy%23z');
    expect(apiPath('orgs', '%2e%2e', '...')).toBe('/orgs/%252e%252e/...');
  });

  test("every destination's paths are built from it", () => {
    const environment = {
      kind: 'environment',
      owner: 'acme',
      repo: 'app',
      environment: 'eu/prod?',
      secretName: 'KEY',
    } as const;
    expect(collectionPath(environment, 'secrets', 'KEY')).toBe(
      '/repos/acme/app/environments/eu%2Fprod%3F/secrets/KEY',
    );
    expect(() => collectionPath({ ...environment, environment: '..' }, 'variables')).toThrow(ActionError);
  });
});

describe("GitHub's naming rules", () => {
  test('an environment name is any line of up to 255 characters that is not a dot segment', () => {
    fc.assert(
      fc.property(nameLike, (name) => {
        const acceptable =
          name !== '' &&
          Array.from(name).length <= 255 &&
          // eslint-disable-next-line no-control-regex
          !/[\u0000-\u001f\u007f]/.test(name) &&
          !isDotSegment(name);
        let accepted: boolean;
        try {
          accepted = parseEnvironmentName(name, 'secret-environment') === name;
        } catch (error) {
          expect((error as ActionError).message).toMatch(
            /^Input 'secret-environment' has an invalid environment name: /,
          );
          accepted = false;
        }
        expect(accepted).toBe(acceptable);
      }),
      { seed: SEED, numRuns: NUM_RUNS },
    );
  });

  test('repositories and organizations: only the characters GitHub allows, never a dot segment', () => {
    fc.assert(
      fc.property(nameLike, nameLike, (owner, repo) => {
        let parsed: { owner: string; repo: string } | undefined;
        try {
          parsed = parseRepository(`${owner}/${repo}`, 'secret-repository');
        } catch {
          parsed = undefined;
        }
        if (parsed) {
          expect(parsed).toEqual({ owner, repo });
          expect(owner).toMatch(/^[A-Za-z0-9][A-Za-z0-9-]{0,38}$/);
          expect(repo).toMatch(/^[A-Za-z0-9._-]{1,100}$/);
          expect(isDotSegment(repo)).toBe(false);
        }
        let organization: string | undefined;
        try {
          organization = parseOrganization(owner, 'secret-organization');
        } catch {
          organization = undefined;
        }
        if (organization !== undefined) expect(organization).toMatch(/^[A-Za-z0-9][A-Za-z0-9-]{0,38}$/);
      }),
      { seed: SEED, numRuns: NUM_RUNS },
    );
    expect(parseRepository('acme/data.platform_2-x', 'secret-repository')).toEqual({
      owner: 'acme',
      repo: 'data.platform_2-x',
    });
    expect(parseOrganization('acme-corp', 'secret-organization')).toBe('acme-corp');
  });
});
