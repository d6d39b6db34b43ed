export const id = 714;
export const ids = [714];
export const modules = {

/***/ 96714:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  MAX_ALIAS_COUNT: () => (/* binding */ MAX_ALIAS_COUNT),
  formatPath: () => (/* binding */ formatPath),
  loadSpec: () => (/* binding */ loadSpec)
});

// EXTERNAL MODULE: ./node_modules/ajv/dist/ajv.js
var ajv = __webpack_require__(42463);
// EXTERNAL MODULE: ./node_modules/yaml/dist/index.js
var dist = __webpack_require__(38815);
;// CONCATENATED MODULE: ./schema/access-spec.schema.json
const access_spec_schema_namespaceObject = /*#__PURE__*/JSON.parse('{"$schema":"http://json-schema.org/draft-07/schema#","$id":"https://github.com/OWNER/snowflake-keypair-action/schema/access-spec.schema.json","title":"Snowflake access spec","description":"What snowflake-keypair-action `mode: setup` creates and `mode: verify` checks: databases, schemas, warehouses, network policies, roles and their privileges, users and their keys, and Snowflake secrets. Names follow Snowflake\'s identifier rules: unquoted names are upper-cased; to keep a name\'s case or use other characters, put double quotes inside the YAML string (\'\\"My Name\\"\').","type":"object","additionalProperties":false,"required":["version"],"properties":{"version":{"title":"Spec format version","description":"Always 1.","const":1},"databases":{"title":"Databases","description":"Databases to create (CREATE DATABASE IF NOT EXISTS) and check.","type":"array","items":{"$ref":"#/definitions/database"}},"warehouses":{"title":"Warehouses","description":"Virtual warehouses to create and whose settings verify compares.","type":"array","items":{"$ref":"#/definitions/warehouse"}},"network_policies":{"title":"Network policies","description":"Network policies (allowed and blocked IPv4 addresses) that users can be attached to.","type":"array","items":{"$ref":"#/definitions/networkPolicy"}},"roles":{"title":"Roles","description":"Account roles, the privileges granted to them and the roles granted to them.","type":"array","items":{"$ref":"#/definitions/role"}},"users":{"title":"Users","description":"Users, their defaults, roles, network policy, workload identity and key pair.","type":"array","items":{"$ref":"#/definitions/user"}},"secrets":{"title":"Snowflake secrets","description":"Snowflake SECRET objects (never their values) and the roles that may use them.","type":"array","items":{"$ref":"#/definitions/secret"}}},"definitions":{"identifier":{"type":"string","minLength":1,"description":"A Snowflake identifier: letters, digits, \'_\' and \'$\', not starting with a digit (stored upper-cased), or a double-quoted, case-sensitive name such as \'\\"Mixed Case\\"\'."},"comment":{"type":"string","title":"Comment","description":"Snowflake COMMENT of the object, on one line (no line breaks or other control characters).","pattern":"^[^\\\\u0000-\\\\u001f\\\\u007f]*$","maxLength":256},"stringList":{"type":"array","items":{"type":"string","minLength":1}},"stringOrList":{"type":["string","array"],"minLength":1,"items":{"type":"string","minLength":1}},"database":{"type":"object","additionalProperties":false,"required":["name"],"properties":{"name":{"$ref":"#/definitions/identifier","title":"Database name"},"comment":{"$ref":"#/definitions/comment"},"schemas":{"title":"Schemas","description":"Schemas to create in this database. PUBLIC always exists and need not be listed.","type":"array","items":{"$ref":"#/definitions/identifier"}}}},"warehouse":{"type":"object","additionalProperties":false,"required":["name"],"properties":{"name":{"$ref":"#/definitions/identifier","title":"Warehouse name"},"size":{"title":"WAREHOUSE_SIZE","description":"Snowflake\'s WAREHOUSE_SIZE values (CREATE WAREHOUSE). Absent: Snowflake\'s default (XSMALL), and verify does not compare it.","enum":["XSMALL","SMALL","MEDIUM","LARGE","XLARGE","XXLARGE","XXXLARGE","X4LARGE","X5LARGE","X6LARGE"]},"type":{"title":"WAREHOUSE_TYPE","description":"STANDARD or SNOWPARK-OPTIMIZED. Absent: Snowflake\'s default (STANDARD), and verify does not compare it.","enum":["STANDARD","SNOWPARK-OPTIMIZED"]},"auto_suspend":{"title":"AUTO_SUSPEND","description":"Seconds of inactivity before the warehouse suspends; 0 or null: never.","type":["integer","null"],"minimum":0},"auto_resume":{"title":"AUTO_RESUME","description":"Whether a query resumes the suspended warehouse.","type":"boolean"},"comment":{"$ref":"#/definitions/comment"}}},"networkPolicy":{"type":"object","additionalProperties":false,"required":["name"],"properties":{"name":{"$ref":"#/definitions/identifier","title":"Network policy name"},"allowed_ip_list":{"title":"ALLOWED_IP_LIST","description":"IPv4 addresses, each with an optional CIDR suffix (52.25.130.38/32, 34.223.203.0/28).","$ref":"#/definitions/stringList"},"blocked_ip_list":{"title":"BLOCKED_IP_LIST","description":"IPv4 addresses refused even when the allowed list covers them.","$ref":"#/definitions/stringList"},"comment":{"$ref":"#/definitions/comment"}}},"privilegeGrant":{"type":"object","additionalProperties":false,"required":["on","privileges"],"properties":{"on":{"title":"Object type","description":"What the privileges are on. `name` names the object, except for `account`.","enum":["account","database","schema","warehouse","user","integration","secret"]},"name":{"title":"Object name","description":"database, warehouse, user, integration: its name; schema: database.schema; secret: database.schema.name. Not used with `on: account`.","type":"string","minLength":1},"privileges":{"title":"Privileges","description":"Snowflake privilege names for this object type, e.g. USAGE, MONITOR, CREATE SCHEMA (database), CREATE SECRET (schema), OPERATE (warehouse), MODIFY PROGRAMMATIC AUTHENTICATION METHODS (user), CREATE USER or MANAGE GRANTS (account). OWNERSHIP on anything but the account.","type":"array","minItems":1,"items":{"type":"string","minLength":1,"examples":["USAGE","MONITOR","OWNERSHIP","CREATE SCHEMA","CREATE SECRET","OPERATE","MODIFY PROGRAMMATIC AUTHENTICATION METHODS","CREATE USER","CREATE ROLE","MANAGE GRANTS"]}}},"if":{"properties":{"on":{"const":"account"}},"required":["on"]},"then":{"properties":{"name":false}},"else":{"required":["name"]}},"role":{"type":"object","additionalProperties":false,"required":["name"],"properties":{"name":{"$ref":"#/definitions/identifier","title":"Role name"},"comment":{"$ref":"#/definitions/comment"},"privileges":{"title":"Privileges granted to this role","type":"array","items":{"$ref":"#/definitions/privilegeGrant"}},"roles":{"title":"Roles granted to this role","description":"Each must be declared in `roles` or be a Snowflake system role.","type":"array","items":{"$ref":"#/definitions/identifier"}}}},"workloadIdentity":{"type":"object","additionalProperties":false,"required":["issuer","subject"],"description":"Keyless login by OIDC workload identity federation (TYPE = SERVICE users only).","properties":{"issuer":{"title":"ISSUER","description":"The OIDC issuer URL, e.g. https://token.actions.githubusercontent.com","type":"string","minLength":1},"subject":{"title":"SUBJECT","description":"The exact `sub` claim, e.g. repo:acme/app:environment:production","type":"string","minLength":1},"audiences":{"title":"OIDC_AUDIENCE_LIST","description":"Accepted audiences; absent: snowflakecomputing.com.","$ref":"#/definitions/stringList"}}},"keySecret":{"type":"object","additionalProperties":false,"required":["name"],"description":"The GitHub Actions secret that receives the private key.","properties":{"name":{"title":"Secret name","description":"Letters, digits and \'_\', not starting with a digit or GITHUB_.","type":"string","minLength":1},"repository":{"title":"Repositories","description":"owner/repo, or a list; absent: the repository running the workflow.","$ref":"#/definitions/stringOrList"},"environment":{"title":"Environments","description":"Environment name, or a list: write environment secrets instead of repository secrets.","$ref":"#/definitions/stringOrList"},"organization":{"title":"Organization","description":"Write an organization secret instead (not with repository or environment).","type":"string","minLength":1},"visibility":{"title":"Organization secret visibility","description":"Organization secrets only; default private.","enum":["all","private","selected"]},"selected_repositories":{"title":"Selected repositories","description":"With visibility: selected, the organization\'s repositories that may read the secret.","$ref":"#/definitions/stringList"}}},"key":{"type":"object","additionalProperties":false,"required":["secret"],"description":"The user\'s key pair: setup generates the first key and stores the private half in `secret`; verify checks its age (SERVICE and LEGACY_SERVICE users only).","properties":{"secret":{"$ref":"#/definitions/keySecret"},"max_age":{"title":"Maximum key age","description":"A duration such as 90d, 36h or 90m; verify reports older keys. Absent: the action\'s max-key-age input.","type":"string","minLength":1}}},"user":{"type":"object","additionalProperties":false,"required":["name","type"],"properties":{"name":{"$ref":"#/definitions/identifier","title":"User name"},"type":{"title":"TYPE","description":"SERVICE (no password, key pair or workload identity), LEGACY_SERVICE or PERSON.","enum":["SERVICE","LEGACY_SERVICE","PERSON"]},"default_role":{"title":"DEFAULT_ROLE","$ref":"#/definitions/identifier"},"default_warehouse":{"title":"DEFAULT_WAREHOUSE","$ref":"#/definitions/identifier"},"default_namespace":{"title":"DEFAULT_NAMESPACE","description":"database or database.schema","type":"string","minLength":1},"roles":{"title":"Roles granted to the user","type":"array","items":{"$ref":"#/definitions/identifier"}},"network_policy":{"title":"NETWORK_POLICY","description":"A network policy declared in `network_policies`.","$ref":"#/definitions/identifier"},"comment":{"$ref":"#/definitions/comment"},"workload_identity":{"$ref":"#/definitions/workloadIdentity"},"key":{"$ref":"#/definitions/key"}}},"secretGrant":{"type":"object","additionalProperties":false,"required":["role","privileges"],"properties":{"role":{"title":"Role","$ref":"#/definitions/identifier"},"privileges":{"title":"Privileges","description":"USAGE, READ or OWNERSHIP.","type":"array","minItems":1,"items":{"type":"string","examples":["USAGE","READ","OWNERSHIP"]}}}},"secret":{"type":"object","additionalProperties":false,"required":["name","type"],"properties":{"name":{"title":"Secret name","description":"Fully qualified: database.schema.name","type":"string","minLength":1},"type":{"title":"TYPE","description":"GENERIC_STRING or PASSWORD. Values never appear in the spec.","enum":["GENERIC_STRING","PASSWORD"]},"comment":{"$ref":"#/definitions/comment"},"grants":{"title":"Grants on the secret","type":"array","items":{"$ref":"#/definitions/secretGrant"}}}}}}');
// EXTERNAL MODULE: ./src/errors.ts
var errors = __webpack_require__(83916);
// EXTERNAL MODULE: ./src/github/destinations.ts
var destinations = __webpack_require__(64934);
// EXTERNAL MODULE: ./src/inputs.ts + 1 modules
var inputs = __webpack_require__(95608);
// EXTERNAL MODULE: ./src/snowflake/identifiers.ts
var identifiers = __webpack_require__(67388);
// EXTERNAL MODULE: ./src/spec/model.ts
var model = __webpack_require__(63522);
;// CONCATENATED MODULE: ./src/spec/load.ts








/**
 * Loads an access spec: YAML with line numbers (`yaml`'s parseDocument + LineCounter), validated against
 * schema/access-spec.schema.json (ajv), then checked for what a schema cannot say: Snowflake identifiers, unique
 * names, references that resolve, which user types may have a key or a workload identity, IP addresses and
 * durations. No network: objects the spec refers to without declaring them are marked `declared: false` for the
 * caller to look up in the account. Every problem is reported at once, one per line, as
 * `<file>:<line>: <path>: <what is wrong and how to fix it>`.
 */
/**
 * Aliases (`*anchor`) may be used, a few times: yaml counts each alias by the size of what it expands to, so this
 * refuses "billion laughs" documents long before they cost memory (https://eemeli.org/yaml/#tojs-options).
 */
const MAX_ALIAS_COUNT = 50;
/** Characters a YAML file cannot hold (C0 and C1 controls other than tab, line feed, carriage return and NEL), and U+FFFD. */
// eslint-disable-next-line no-control-regex
const NOT_YAML_TEXT = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u0084\u0086-\u009f\ufffd]/;
/** `roles[0].privileges[1].privileges`; `(root)` for the document itself. */
function formatPath(path) {
    if (path.length === 0)
        return '(root)';
    return path
        .map((segment, index) => typeof segment === 'number' ? `[${segment}]` : index === 0 ? segment : `.${segment}`)
        .join('');
}
// Compiled once, on first use. The schema is draft-07, which the default Ajv class handles without extra
// packages. Strict mode, with union types allowed (`repository` is a string or a list); `verbose` gives each
// error its schema and data, for messages that list the allowed fields.
let compiled;
function validator() {
    compiled ??= new ajv.Ajv({ allErrors: true, verbose: true, strict: true, allowUnionTypes: true }).compile(access_spec_schema_namespaceObject);
    return compiled;
}
/** Parses and checks an access spec. Throws SpecError (an ActionError, code `invalid-spec`) listing every problem. */
function loadSpec(text, file) {
    const size = Buffer.byteLength(text, 'utf8');
    if (size > model/* MAX_SPEC_BYTES */.p) {
        throw new model/* SpecError */.G8([
            {
                file,
                line: 1,
                path: '(root)',
                message: `the file is ${size} bytes, more than the limit of ${model/* MAX_SPEC_BYTES */.p} bytes (1 MiB) for an access spec. Split it, or check that this is the right file`,
            },
        ]);
    }
    // YAML is text: characters outside its printable set (https://yaml.org/spec/1.2.2/#51-character-set) mean
    // a binary file, or one in another encoding (U+FFFD is what reading invalid UTF-8 leaves). The parser would
    // take such a file for a single value; say what it is instead.
    const notText = NOT_YAML_TEXT.exec(text);
    if (notText) {
        const found = notText[0];
        throw new model/* SpecError */.G8([
            {
                file,
                line: text.slice(0, notText.index).split('\n').length,
                path: '(yaml)',
                message: `the file ${found === '\ufffd' ? 'holds bytes that are not UTF-8 text' : `holds the control character ${(0,identifiers/* describeCharacter */.zQ)(found)}`}, so it is not a YAML text file. Check that 'spec' names the access spec, saved as UTF-8`,
            },
        ]);
    }
    const lineCounter = new dist/* LineCounter */.HN();
    const doc = (0,dist/* parseDocument */.Tp)(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
    const locator = new Locator(doc, lineCounter, file);
    const syntax = [...doc.errors, ...doc.warnings].map((error) => ({
        file,
        line: error.linePos?.[0].line ?? lineCounter.linePos(error.pos[0]).line,
        path: '(yaml)',
        message: `${firstLine(error.message)}. Fix the YAML syntax here`,
    }));
    if (doc.errors.length > 0)
        throw new model/* SpecError */.G8(syntax);
    if (doc.contents === null || ((0,dist/* isScalar */.jn)(doc.contents) && doc.contents.value === null)) {
        throw new model/* SpecError */.G8([
            { file, line: 1, path: '(root)', message: 'the spec is empty. Start it with `version: 1`' },
        ]);
    }
    if (!(0,dist/* isMap */.jh)(doc.contents)) {
        throw new model/* SpecError */.G8([
            {
                file,
                line: locator.line([]),
                path: '(root)',
                message: `the spec is ${(0,dist/* isSeq */.oP)(doc.contents) ? 'a list' : 'a single value'}, not a mapping. Write it as keys such as \`version: 1\`, \`roles:\` and \`users:\` at the top level`,
            },
        ]);
    }
    // Messages below quote the file's fields and values. A mapping without `version` is some other YAML file of
    // the repository (a workflow, a config with credentials in it): say only that it is not a spec.
    // A docker-compose or dependabot file has a `version` too, but a string ('3.8') or 2 under `updates:`; an
    // access spec's is a whole number (another one than 1 is a spec for another release, and the schema says so).
    const version = doc.contents.items.find((pair) => (0,dist/* isScalar */.jn)(pair.key) && pair.key.value === 'version');
    if (!version || !(0,dist/* isScalar */.jn)(version.value) || !Number.isInteger(version.value.value)) {
        throw new model/* SpecError */.G8([
            {
                file,
                line: 1,
                path: '(root)',
                message: "'version: 1' is required at the top level: without it the file is not read as an access spec, and nothing else in it is checked or quoted. Check that 'spec' names the access spec, and start it with `version: 1`",
            },
        ]);
    }
    let data;
    try {
        data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    }
    catch (error) {
        throw new model/* SpecError */.G8([
            {
                file,
                line: locator.firstAliasLine() ?? 1,
                path: '(yaml)',
                message: `the YAML aliases expand too far (${error instanceof Error ? firstLine(error.message) : String(error)}). Write the repeated parts out instead of aliasing them`,
            },
        ]);
    }
    const validate = validator();
    if (!validate(data)) {
        const issues = schemaIssues(validate.errors ?? [], locator);
        throw new model/* SpecError */.G8(issues);
    }
    return new Builder(data, locator).build();
}
function firstLine(text) {
    return (text.split('\n')[0] ?? '').replace(/[.\s]+$/, '');
}
/** Finds the line of a path in the YAML document: the line of the key for a field, of the item for a list item. */
class Locator {
    doc;
    lineCounter;
    file;
    constructor(doc, lineCounter, file) {
        this.doc = doc;
        this.lineCounter = lineCounter;
        this.file = file;
    }
    line(path) {
        let node = this.doc.contents;
        let line = this.lineOf(node) ?? 1;
        for (const segment of path) {
            if ((0,dist/* isAlias */.Vj)(node))
                node = node.resolve(this.doc);
            if (typeof segment === 'string' && (0,dist/* isMap */.jh)(node)) {
                const pair = node.items.find((item) => (0,dist/* isScalar */.jn)(item.key) && String(item.key.value) === segment);
                if (!pair)
                    break;
                line = this.lineOf(pair.key) ?? line;
                node = pair.value;
            }
            else if (typeof segment === 'number' && (0,dist/* isSeq */.oP)(node)) {
                const item = node.items[segment];
                if (item === undefined)
                    break;
                line = this.lineOf(item) ?? line;
                node = item;
            }
            else {
                break;
            }
        }
        return line;
    }
    at(path) {
        return { file: this.file, line: this.line(path), path: formatPath(path) };
    }
    firstAliasLine() {
        let found;
        const visit = (node) => {
            if (found !== undefined)
                return;
            if ((0,dist/* isAlias */.Vj)(node)) {
                found = this.lineOf(node);
            }
            else if ((0,dist/* isMap */.jh)(node)) {
                for (const pair of node.items) {
                    visit(pair.key);
                    visit(pair.value);
                }
            }
            else if ((0,dist/* isSeq */.oP)(node)) {
                for (const item of node.items)
                    visit(item);
            }
        };
        visit(this.doc.contents);
        return found;
    }
    lineOf(node) {
        const offset = node?.range?.[0];
        return offset === undefined ? undefined : this.lineCounter.linePos(offset).line;
    }
}
/** ajv's errors, reworded to say what is wrong and what to write instead. */
function schemaIssues(errors, locator) {
    const issues = [];
    const seen = new Set();
    for (const error of errors) {
        // `if` only reports that its `then`/`else` failed; that branch's own error says why.
        if (error.keyword === 'if')
            continue;
        const path = instancePath(error.instancePath);
        let message;
        let at = path;
        const params = error.params;
        switch (error.keyword) {
            case 'additionalProperties': {
                const field = String(params.additionalProperty);
                at = [...path, field];
                const allowed = Object.keys((error.parentSchema?.properties ?? {}));
                message = `unknown field '${field}'. ${allowed.length > 0 ? `The fields allowed here are: ${allowed.join(', ')}` : 'Remove it'}${suggestion(field, allowed)}`;
                break;
            }
            case 'required': {
                const field = String(params.missingProperty);
                message = `'${field}' is required here. Add it`;
                break;
            }
            case 'type': {
                const expected = String(params.type).split(',').map(typeName).join(' or ');
                message = `should be ${expected}, not ${describeValue(error.data)}`;
                break;
            }
            case 'enum': {
                const allowed = params.allowedValues.map(String);
                message = `is ${describeValue(error.data)}. Use one of: ${allowed.join(', ')}${suggestion(String(error.data), allowed)}`;
                break;
            }
            case 'const':
                message =
                    path.join('.') === 'version'
                        ? `is ${describeValue(error.data)}, but this version of the action reads access specs of version 1. Write \`version: 1\``
                        : `should be ${JSON.stringify(params.allowedValue)}`;
                break;
            case 'false schema': {
                const field = path[path.length - 1];
                message =
                    field === 'name'
                        ? "is not used with 'on: account' (the account has no name). Remove it"
                        : 'is not allowed here. Remove it';
                break;
            }
            case 'minItems':
                message = 'is an empty list. List at least one item, or remove the field';
                break;
            case 'minLength':
                message = 'is empty. Give a value, or remove the field';
                break;
            case 'maxLength':
                message = `is ${Array.from(String(error.data)).length} characters, more than the limit of ${String(params.limit)}. Shorten it`;
                break;
            case 'pattern': {
                // The schema's one pattern keeps comments on one line: name the character that breaks it.
                const control = typeof error.data === 'string' ? CONTROL.exec(error.data) : null;
                message = control
                    ? `holds the control character ${(0,identifiers/* describeCharacter */.zQ)(control[0])} at position ${Array.from(String(error.data).slice(0, control.index)).length + 1}. Write it on one line, without line breaks, tabs or other control characters (it must match pattern ${String(params.pattern)})`
                    : `${describeValue(error.data)} does not have the form this field takes (${String(params.pattern)})`;
                break;
            }
            case 'minimum':
                message = `is ${describeValue(error.data)}, less than ${String(params.limit)}. Give a number of at least ${String(params.limit)}`;
                break;
            default:
                message = `${error.message ?? 'is invalid'}. Check it against schema/access-spec.schema.json`;
        }
        const key = `${formatPath(at)}\u0000${message}`;
        if (seen.has(key))
            continue;
        seen.add(key);
        issues.push({ ...locator.at(at), message });
    }
    return sortIssues(issues);
}
function instancePath(pointer) {
    if (pointer === '')
        return [];
    return pointer
        .slice(1)
        .split('/')
        .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
        .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}
function typeName(type) {
    switch (type) {
        case 'object':
            return 'a mapping';
        case 'array':
            return 'a list';
        case 'integer':
            return 'a whole number';
        case 'null':
            return 'null';
        default:
            return `a ${type}`;
    }
}
function describeValue(value) {
    if (value === null)
        return 'null';
    if (Array.isArray(value))
        return 'a list';
    if (typeof value === 'object')
        return 'a mapping';
    if (typeof value === 'string')
        return `the string ${JSON.stringify(value)}`;
    return `${typeof value === 'number' && !Number.isInteger(value) ? 'the number' : `the ${typeof value}`} ${String(value)}`;
}
/** ` (did you mean 'x'?)` for a near miss: a wrong case, `-` for `_`, or one letter off. */
function suggestion(value, allowed) {
    const normal = (text) => text.toLowerCase().replace(/[-_\s]/g, '');
    const match = allowed.find((candidate) => normal(candidate) === normal(value)) ??
        allowed.find((candidate) => editDistance(candidate.toLowerCase(), value.toLowerCase()) <= 2);
    return match === undefined ? '' : ` (did you mean '${match}'?)`;
}
function editDistance(a, b) {
    if (Math.abs(a.length - b.length) > 2)
        return 3;
    let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
    for (let i = 1; i <= a.length; i++) {
        const current = [i];
        for (let j = 1; j <= b.length; j++) {
            current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
        }
        previous = current;
    }
    return previous[b.length] ?? 0;
}
function sortIssues(issues) {
    return issues
        .map((issue, index) => ({ issue, index }))
        .sort((a, b) => a.issue.line - b.issue.line || a.index - b.index)
        .map(({ issue }) => issue);
}
const IPV4_OCTET = '(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const IPV4_CIDR = new RegExp(`^${IPV4_OCTET}(\\.${IPV4_OCTET}){3}(/(3[0-2]|[12]?\\d))?$`);
/** A control character: a field that is one line must not hold one. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;
/** Snowflake keeps an OIDC SUBJECT of at most 255 characters (CREATE USER ... WORKLOAD_IDENTITY). */
const MAX_SUBJECT_LENGTH = 255;
/** Turns the schema-valid document into the model, collecting every semantic problem. */
class Builder {
    raw;
    locator;
    issues = [];
    warnings = [];
    databases = new Map();
    warehouses = new Set();
    networkPolicies = new Set();
    roles = new Set();
    users = new Set();
    secrets = new Set();
    constructor(raw, locator) {
        this.raw = raw;
        this.locator = locator;
    }
    build() {
        // Names first, so that references can point forwards (a role granted before it is declared).
        const databases = (this.raw.databases ?? []).map((db, i) => this.database(db, ['databases', i]));
        const warehouses = (this.raw.warehouses ?? []).map((wh, i) => this.warehouse(wh, ['warehouses', i]));
        const networkPolicies = (this.raw.network_policies ?? []).map((np, i) => this.networkPolicy(np, ['network_policies', i]));
        const roleNames = (this.raw.roles ?? []).map((role, i) => this.declare(this.roles, 'role', role.name, ['roles', i, 'name'], (name) => model/* SYSTEM_ROLES */.QY.includes(name)
            ? `is the Snowflake system role ${name}, which every account has. Do not declare it: grant it or refer to it by name`
            : undefined));
        const userNames = (this.raw.users ?? []).map((user, i) => this.declare(this.users, 'user', user.name, ['users', i, 'name']));
        const secretNames = (this.raw.secrets ?? []).map((secret, i) => this.secretName(secret.name, i));
        const roles = (this.raw.roles ?? []).map((role, i) => this.role(role, roleNames[i], ['roles', i]));
        const users = (this.raw.users ?? []).map((user, i) => this.user(user, userNames[i], ['users', i]));
        const secrets = (this.raw.secrets ?? []).map((secret, i) => this.secret(secret, secretNames[i], ['secrets', i]));
        this.checkOwnership(roles, secrets);
        this.checkRoleCycles(roles);
        this.checkSharedIdentities(users);
        if (this.issues.length > 0)
            throw new model/* SpecError */.G8(sortIssues(this.issues));
        return {
            file: this.locator.file,
            version: 1,
            databases: databases.filter(isDefined),
            warehouses: warehouses.filter(isDefined),
            networkPolicies: networkPolicies.filter(isDefined),
            roles: roles.filter(isDefined),
            users: users.filter(isDefined),
            secrets: secrets.filter(isDefined),
            warnings: sortIssues(this.warnings),
            source: this.locator.at([]),
        };
    }
    // --- problems and names -------------------------------------------------------------------------------
    problem(path, message) {
        this.issues.push({ ...this.locator.at(path), message });
    }
    at(path) {
        return this.locator.at(path);
    }
    /**
     * Where an element is and where each field it writes is: the one place an element's sources are made, so
     * that every finding about a field can be shown on that field's line (sourceOf in model.ts).
     */
    placed(path, raw) {
        const fields = {};
        for (const field of Object.keys(raw))
            fields[field] = this.at([...path, field]);
        return { source: this.at(path), fields };
    }
    /** resolveIdentifier, with its message reworded as `<file>:<line>: <path>: ...`. */
    identifier(value, path) {
        return this.reuseIdentifierRules(value, path, (context) => (0,identifiers/* resolveIdentifier */.KE)(value, context));
    }
    qualified(value, parts, path) {
        return this.reuseIdentifierRules(value, path, (context) => (0,identifiers/* resolveQualifiedName */.gz)(value, parts, context));
    }
    reuseIdentifierRules(value, path, resolve) {
        const location = this.at(path);
        const source = `${location.file}:${location.line}: ${location.path}`;
        try {
            return resolve({ source });
        }
        catch (error) {
            if (!(error instanceof errors/* ActionError */.lZ))
                throw error;
            const prefix = `The Snowflake name in ${source} `;
            const problem = error.message.startsWith(prefix)
                ? `the name ${JSON.stringify(value)} ${error.message.slice(prefix.length)}`
                : error.message;
            // In YAML, "x" is just the string x: a case-sensitive Snowflake name needs its quotes inside the string.
            const yamlHint = /not a valid unquoted/.test(problem)
                ? ` (in YAML, keep the double quotes inside single quotes: '"${value.replace(/"/g, '""')}"')`
                : '';
            this.problem(path, `${problem}. ${error.hint ?? 'Fix the name'}${yamlHint}`);
            return undefined;
        }
    }
    /** Resolves a declared name and records it, refusing a second declaration of the same name. */
    declare(names, kind, value, path, refuse) {
        const name = this.identifier(value, path);
        if (name === undefined)
            return undefined;
        const refusal = refuse?.(name);
        if (refusal !== undefined) {
            this.problem(path, refusal);
            return undefined;
        }
        if (names.has(name)) {
            this.problem(path, `declares the ${kind} ${name} a second time (names are compared after Snowflake's rules: unquoted names are upper-cased). Merge the two entries or rename one`);
            return undefined;
        }
        names.add(name);
        return name;
    }
    /** Calls one of inputs.ts' parsers, rewording its `Input '...'` message for a spec field. */
    parse(path, parse) {
        const marker = '\u0001spec-field\u0001';
        try {
            return parse(marker);
        }
        catch (error) {
            if (!(error instanceof errors/* ActionError */.lZ))
                throw error;
            const message = error.message.replace(`Input '${marker}' `, '').replace(marker, formatPath(path));
            this.problem(path, `${message}. ${error.hint ?? ''}`.trim());
            return undefined;
        }
    }
    // --- objects ------------------------------------------------------------------------------------------
    database(raw, path) {
        const name = this.declare(new Set(this.databases.keys()), 'database', raw.name, [...path, 'name'], (resolved) => model/* SYSTEM_DATABASES */.Pj.includes(resolved)
            ? `is the Snowflake system database ${resolved}, which every account has. Do not declare it`
            : undefined);
        if (name === undefined)
            return undefined;
        const schemaNames = new Set();
        this.databases.set(name, schemaNames);
        const schemas = (raw.schemas ?? []).flatMap((value, i) => {
            const schemaPath = [...path, 'schemas', i];
            const schemaName = this.declare(schemaNames, `schema of ${name}`, value, schemaPath);
            return schemaName === undefined
                ? []
                : [{ database: name, name: schemaName, source: this.at(schemaPath) }];
        });
        return { name, ...optional('comment', raw.comment), schemas, ...this.placed(path, raw) };
    }
    warehouse(raw, path) {
        const name = this.declare(this.warehouses, 'warehouse', raw.name, [...path, 'name']);
        if (name === undefined)
            return undefined;
        return {
            name,
            ...optional('size', raw.size),
            ...optional('type', raw.type),
            // AUTO_SUSPEND = 0 and NULL both mean never (CREATE WAREHOUSE); SHOW WAREHOUSES reports null.
            ...(raw.auto_suspend === undefined ? {} : { autoSuspend: raw.auto_suspend || null }),
            ...optional('autoResume', raw.auto_resume),
            ...optional('comment', raw.comment),
            ...this.placed(path, raw),
        };
    }
    networkPolicy(raw, path) {
        const name = this.declare(this.networkPolicies, 'network policy', raw.name, [...path, 'name']);
        const addresses = (field) => {
            const result = [];
            (raw[field] ?? []).forEach((value, i) => {
                const address = value.trim();
                if (!IPV4_CIDR.test(address)) {
                    this.problem([...path, field, i], `${JSON.stringify(value)} is not an IPv4 address with an optional CIDR suffix. Write it like 52.25.130.38 or 34.223.203.0/28 (Snowflake network policies take IPv4 only)`);
                }
                else if (!result.includes(address)) {
                    result.push(address);
                }
            });
            return result;
        };
        const allowedIpList = addresses('allowed_ip_list');
        const blockedIpList = addresses('blocked_ip_list');
        if ((raw.allowed_ip_list ?? []).length === 0 && (raw.blocked_ip_list ?? []).length === 0) {
            this.problem(path, 'declares no addresses. List the addresses to allow in allowed_ip_list (and any to refuse in blocked_ip_list)');
        }
        if (name === undefined)
            return undefined;
        return {
            name,
            allowedIpList,
            blockedIpList,
            ...optional('comment', raw.comment),
            ...this.placed(path, raw),
        };
    }
    role(raw, name, path) {
        const privileges = (raw.privileges ?? []).flatMap((entry, i) => {
            const spec = this.privilegeEntry(entry, [...path, 'privileges', i]);
            return spec === undefined ? [] : [spec];
        });
        const roles = (raw.roles ?? []).flatMap((value, i) => {
            const ref = this.roleRef(value, [...path, 'roles', i], 'granted to this role');
            if (ref !== undefined && ref.name === name) {
                this.problem([...path, 'roles', i], `grants the role ${name} to itself. Remove it`);
                return [];
            }
            return ref === undefined ? [] : [ref];
        });
        if (name === undefined)
            return undefined;
        return { name, ...optional('comment', raw.comment), privileges, roles, ...this.placed(path, raw) };
    }
    privilegeEntry(raw, path) {
        const object = this.objectRef(raw.on, raw.name, [...path, 'name']);
        const privileges = this.privilegeNames(raw.privileges, raw.on, [...path, 'privileges']);
        if (object === undefined || privileges === undefined)
            return undefined;
        return { on: raw.on, object, privileges, source: this.at(path) };
    }
    /** Upper-cased, single-spaced, de-duplicated, each checked against the object type's privileges. */
    privilegeNames(values, kind, path, allowed = model/* PRIVILEGES */.fd[kind]) {
        const result = [];
        let valid = true;
        values.forEach((value, i) => {
            const name = value.trim().replace(/\s+/g, ' ').toUpperCase();
            if (!allowed.includes(name)) {
                valid = false;
                const why = name === 'OWNERSHIP' && kind === 'account'
                    ? 'OWNERSHIP cannot be granted on the account'
                    : name === 'ALL' || name === 'ALL PRIVILEGES'
                        ? 'ALL is not accepted: the spec lists each privilege it grants'
                        : `${JSON.stringify(value)} is not a privilege Snowflake grants on ${kind === 'account' ? 'the account' : `a ${kind}`}`;
                this.problem([...path, i], `${why}. Use one of: ${allowed.join(', ')}${suggestion(name, allowed)}`);
            }
            else if (!result.some((privilege) => privilege.name === name)) {
                result.push({ name, source: this.at([...path, i]) });
            }
        });
        return valid ? result : undefined;
    }
    /** The object a privilege entry names, with whether the spec (or Snowflake itself) provides it. */
    objectRef(kind, value, path) {
        const type = (0,model/* snowflakeObjectType */.eO)(kind);
        if (kind === 'account')
            return { type, parts: [], name: '', declared: true, system: true };
        const parts = this.qualified(value ?? '', model/* NAME_PARTS */.pf[kind], path);
        if (parts === undefined)
            return undefined;
        const [first = '', second = ''] = parts;
        let declared = false;
        let system = false;
        switch (kind) {
            case 'database':
                declared = this.databases.has(first);
                system = model/* SYSTEM_DATABASES */.Pj.includes(first);
                break;
            case 'schema':
                declared =
                    this.databases.has(first) &&
                        ((this.databases.get(first)?.has(second) ?? false) || model/* IMPLICIT_SCHEMAS */.pu.includes(second));
                system = model/* SYSTEM_DATABASES */.Pj.includes(first);
                break;
            case 'warehouse':
                declared = this.warehouses.has(first);
                break;
            case 'user':
                declared = this.users.has(first);
                break;
            case 'secret':
                declared = this.secrets.has(parts.join('.'));
                break;
            case 'integration':
                // The spec does not declare integrations: they are created by hand (or by Snowflake) and looked up live.
                break;
        }
        return { type, parts, name: parts.join('.'), declared, system };
    }
    /** A role reference: it must be declared in `roles` or be a system role. */
    roleRef(value, path, what) {
        const name = this.identifier(value, path);
        if (name === undefined)
            return undefined;
        const declared = this.roles.has(name);
        const system = model/* SYSTEM_ROLES */.QY.includes(name);
        if (!declared && !system) {
            this.problem(path, `the role ${name} ${what} is not declared in \`roles\` and is not a Snowflake system role (${model/* SYSTEM_ROLES */.QY.join(', ')}). Declare it under \`roles:\`, or correct the name`);
            return undefined;
        }
        return { name, declared, system, source: this.at(path) };
    }
    secretName(value, index) {
        const path = ['secrets', index, 'name'];
        const parts = this.qualified(value, 3, path);
        if (parts === undefined)
            return undefined;
        const qualified = parts.join('.');
        if (this.secrets.has(qualified)) {
            this.problem(path, `declares the secret ${qualified} a second time. Merge the two entries or rename one`);
            return undefined;
        }
        this.secrets.add(qualified);
        return parts;
    }
    secret(raw, parts, path) {
        const grants = (raw.grants ?? []).flatMap((grant, i) => {
            const grantPath = [...path, 'grants', i];
            const role = this.roleRef(grant.role, [...grantPath, 'role'], 'given privileges on this secret');
            const privileges = this.privilegeNames(grant.privileges, 'secret', [...grantPath, 'privileges']);
            if (role === undefined || privileges === undefined)
                return [];
            return [{ role, privileges, source: this.at(grantPath) }];
        });
        if (parts === undefined)
            return undefined;
        const [database = '', schema = '', name = ''] = parts;
        const schemaDeclared = (this.databases.get(database)?.has(schema) ?? false) ||
            (this.databases.has(database) && model/* IMPLICIT_SCHEMAS */.pu.includes(schema));
        return {
            database,
            schema,
            name,
            qualifiedName: parts.join('.'),
            type: raw.type,
            ...optional('comment', raw.comment),
            grants,
            schemaDeclared,
            ...this.placed(path, raw),
        };
    }
    // --- users --------------------------------------------------------------------------------------------
    user(raw, name, path) {
        const defaultRole = raw.default_role === undefined
            ? undefined
            : this.roleRef(raw.default_role, [...path, 'default_role'], 'named as default_role');
        const defaultWarehouse = raw.default_warehouse === undefined
            ? undefined
            : this.located(this.objectRef('warehouse', raw.default_warehouse, [...path, 'default_warehouse']), [
                ...path,
                'default_warehouse',
            ]);
        const defaultNamespace = raw.default_namespace === undefined
            ? undefined
            : this.namespace(raw.default_namespace, [...path, 'default_namespace']);
        const roles = (raw.roles ?? []).flatMap((value, i) => {
            const ref = this.roleRef(value, [...path, 'roles', i], 'granted to this user');
            return ref === undefined ? [] : [ref];
        });
        let networkPolicy;
        if (raw.network_policy !== undefined) {
            const policyPath = [...path, 'network_policy'];
            const policy = this.identifier(raw.network_policy, policyPath);
            if (policy !== undefined && !this.networkPolicies.has(policy)) {
                this.problem(policyPath, `the network policy ${policy} is not declared in \`network_policies\`. Declare it there, with its allowed_ip_list, or correct the name`);
            }
            else if (policy !== undefined) {
                networkPolicy = { name: policy, source: this.at(policyPath) };
            }
        }
        const workloadIdentity = raw.workload_identity === undefined
            ? undefined
            : this.workloadIdentity(raw.workload_identity, raw.type, [...path, 'workload_identity']);
        const key = raw.key === undefined ? undefined : this.key(raw.key, raw.type, [...path, 'key']);
        if (defaultRole !== undefined &&
            defaultRole.name !== 'PUBLIC' &&
            raw.roles !== undefined &&
            !roles.some((role) => role.name === defaultRole.name)) {
            this.warnings.push({
                ...this.at([...path, 'default_role']),
                message: `the default role ${defaultRole.name} is not among the roles granted to this user, so sessions cannot use it. Add it to \`roles\``,
            });
        }
        if (name === undefined)
            return undefined;
        return {
            name,
            type: raw.type,
            ...optional('defaultRole', defaultRole),
            ...optional('defaultWarehouse', defaultWarehouse),
            ...optional('defaultNamespace', defaultNamespace),
            roles,
            ...optional('networkPolicy', networkPolicy),
            ...optional('comment', raw.comment),
            ...optional('workloadIdentity', workloadIdentity),
            ...optional('key', key),
            ...this.placed(path, raw),
        };
    }
    located(ref, path) {
        return ref === undefined ? undefined : { ...ref, source: this.at(path) };
    }
    /** DEFAULT_NAMESPACE: `database` or `database.schema`. */
    namespace(value, path) {
        const parts = countQualifiedParts(value) === 1 ? 1 : 2;
        if (countQualifiedParts(value) > 2) {
            this.problem(path, `${JSON.stringify(value)} has more than two parts. Write database or database.schema`);
            return undefined;
        }
        return this.located(this.objectRef(parts === 1 ? 'database' : 'schema', value, path), path);
    }
    workloadIdentity(raw, type, path) {
        let valid = true;
        if (type !== 'SERVICE') {
            valid = false;
            this.problem(path, `is set on a ${type} user, but Snowflake accepts workload identity only on TYPE = SERVICE users. Set \`type: SERVICE\`, or remove workload_identity`);
        }
        // The URL parser drops tabs and line breaks, so `new URL` alone would let them through into SQL and the
        // log (where a line break starts a new line, possibly a forged workflow command).
        const issuerControl = CONTROL.exec(raw.issuer);
        let issuer;
        try {
            issuer = new URL(raw.issuer);
        }
        catch {
            issuer = undefined;
        }
        if (issuerControl) {
            valid = false;
            this.problem([...path, 'issuer'], `holds the control character ${(0,identifiers/* describeCharacter */.zQ)(issuerControl[0])}. Write the issuer URL on one line, e.g. https://token.actions.githubusercontent.com`);
        }
        else if (issuer?.protocol !== 'https:') {
            valid = false;
            this.problem([...path, 'issuer'], `${JSON.stringify(raw.issuer)} is not an https:// URL. For GitHub Actions write https://token.actions.githubusercontent.com`);
        }
        const subject = raw.subject.trim();
        // eslint-disable-next-line no-control-regex
        if (subject === '' || subject.length > MAX_SUBJECT_LENGTH || /[\u0000-\u001f\u007f]/.test(subject)) {
            valid = false;
            this.problem([...path, 'subject'], `should be the exact \`sub\` claim (1 to ${MAX_SUBJECT_LENGTH} characters, one line), e.g. repo:acme/app:environment:production`);
        }
        const audiences = raw.audiences?.map((audience) => audience.trim());
        audiences?.forEach((audience, i) => {
            const control = CONTROL.exec(audience);
            if (audience === '' || control) {
                valid = false;
                this.problem([...path, 'audiences', i], `${control ? `holds the control character ${(0,identifiers/* describeCharacter */.zQ)(control[0])}` : 'is blank'}. Give the audience the token is issued for, on one line, e.g. snowflakecomputing.com`);
            }
        });
        if (!valid)
            return undefined;
        return { issuer: raw.issuer, subject, ...optional('audiences', audiences), source: this.at(path) };
    }
    key(raw, type, path) {
        if (type === 'PERSON') {
            this.problem(path, 'is set on a PERSON user. The action manages key pairs of service users only: set `type: SERVICE` (or LEGACY_SERVICE), or remove the key block');
            return undefined;
        }
        const secretPath = [...path, 'secret'];
        const secret = raw.secret;
        const name = this.parse([...secretPath, 'name'], (input) => (0,destinations/* parseSecretName */.bK)(secret.name, input));
        const list = (value) => value === undefined ? [] : (Array.isArray(value) ? value : [value]).map((item) => item.trim());
        const repositories = list(secret.repository).flatMap((value, i) => {
            const itemPath = Array.isArray(secret.repository)
                ? [...secretPath, 'repository', i]
                : [...secretPath, 'repository'];
            const parsed = this.parse(itemPath, (input) => (0,destinations/* parseRepository */.SU)(value, input));
            return parsed === undefined ? [] : [parsed];
        });
        const environments = list(secret.environment).flatMap((environment, i) => {
            const itemPath = Array.isArray(secret.environment)
                ? [...secretPath, 'environment', i]
                : [...secretPath, 'environment'];
            const parsed = this.parse(itemPath, (input) => (0,destinations/* parseEnvironmentName */.gU)(environment, input));
            return parsed === undefined ? [] : [parsed];
        });
        const organization = secret.organization?.trim();
        const selected = secret.selected_repositories ?? [];
        if (organization !== undefined) {
            if (secret.repository !== undefined || secret.environment !== undefined) {
                this.problem([...secretPath, 'organization'], 'is set together with repository or environment. A key goes either to an organization secret or to repository/environment secrets: remove one');
            }
            this.parse([...secretPath, 'organization'], (input) => (0,destinations/* parseOrganization */.H4)(organization, input));
            if (secret.visibility === 'selected' && selected.length === 0) {
                this.problem([...secretPath, 'visibility'], "is 'selected' without selected_repositories. List the repositories that may read the secret, or choose private or all");
            }
        }
        else if (secret.visibility !== undefined) {
            this.problem([...secretPath, 'visibility'], 'applies to organization secrets only. Remove it, or set organization');
        }
        if (selected.length > 0 && secret.visibility !== 'selected') {
            this.problem([...secretPath, 'selected_repositories'], 'is set without `visibility: selected`. Set the visibility to selected, or remove the list');
        }
        const selectedRepositories = selected.flatMap((entry, i) => {
            const itemPath = [...secretPath, 'selected_repositories', i];
            const parsed = this.parse(itemPath, (input) => (0,destinations/* parseRepository */.SU)(entry.includes('/') ? entry : `${organization ?? 'org'}/${entry}`, input));
            if (parsed && organization !== undefined && parsed.owner.toLowerCase() !== organization.toLowerCase()) {
                this.problem(itemPath, `is not a repository of ${organization}. List repositories of ${organization} only`);
            }
            return parsed === undefined ? [] : [parsed.repo];
        });
        let maxAgeMs;
        if (raw.max_age !== undefined) {
            maxAgeMs = this.parse([...path, 'max_age'], (input) => (0,inputs/* parseDuration */.E9)(raw.max_age ?? '', input));
            if (maxAgeMs === 0) {
                this.problem([...path, 'max_age'], 'is zero. Give the longest age a key may reach, e.g. 90d');
            }
        }
        if (name === undefined)
            return undefined;
        return {
            secret: {
                name,
                repositories,
                environments,
                ...optional('organization', organization),
                ...optional('visibility', organization === undefined ? undefined : (secret.visibility ?? 'private')),
                selectedRepositories,
                source: this.at(secretPath),
            },
            ...optional('maxAgeMs', maxAgeMs),
            ...this.placed(path, raw),
        };
    }
    // --- checks across elements ---------------------------------------------------------------------------
    /** An object has one owner: two roles declared as its owner cannot both be right. */
    checkOwnership(roles, secrets) {
        const owners = new Map();
        const claim = (object, role, source) => {
            const owner = owners.get(object);
            if (owner === undefined) {
                owners.set(object, role);
            }
            else if (owner !== role) {
                this.issues.push({
                    ...source,
                    message: `gives OWNERSHIP of ${object} to ${role}, but the role ${owner} is already declared its owner; an object has one owner. Keep one`,
                });
            }
        };
        for (const role of roles.filter(isDefined)) {
            for (const entry of role.privileges) {
                const ownership = entry.privileges.find((privilege) => privilege.name === 'OWNERSHIP');
                if (ownership)
                    claim(`${entry.object.type} ${entry.object.name}`, role.name, ownership.source);
            }
        }
        for (const secret of secrets.filter(isDefined)) {
            for (const grant of secret.grants) {
                const ownership = grant.privileges.find((privilege) => privilege.name === 'OWNERSHIP');
                if (ownership)
                    claim(`SECRET ${secret.qualifiedName}`, grant.role.name, ownership.source);
            }
        }
    }
    /** Snowflake refuses a role grant that would make a cycle (a role granted, through others, to itself). */
    checkRoleCycles(roles) {
        const granted = new Map();
        for (const role of roles.filter(isDefined))
            granted.set(role.name, role.roles);
        const reported = new Set();
        for (const role of roles.filter(isDefined)) {
            for (const ref of role.roles) {
                // Does `ref` (granted to `role`) already hold `role`, directly or not?
                const seen = new Set();
                const stack = [ref.name];
                while (stack.length > 0) {
                    const current = stack.pop() ?? '';
                    if (current === role.name) {
                        const key = [role.name, ref.name].sort().join('\u0000');
                        if (!reported.has(key)) {
                            reported.add(key);
                            this.issues.push({
                                ...ref.source,
                                message: `grants ${ref.name} to ${role.name}, but ${ref.name} already holds ${role.name} through its own roles; Snowflake refuses role grants that make a cycle. Remove one direction`,
                            });
                        }
                        break;
                    }
                    if (seen.has(current))
                        continue;
                    seen.add(current);
                    for (const next of granted.get(current) ?? [])
                        stack.push(next.name);
                }
            }
        }
    }
    /** Snowflake keeps an OIDC issuer and subject unique in the account (error 099706), and one secret per key. */
    checkSharedIdentities(users) {
        const identities = new Map();
        const destinations = new Map();
        for (const user of users.filter(isDefined)) {
            if (user.workloadIdentity) {
                const key = `${user.workloadIdentity.issuer}\u0000${user.workloadIdentity.subject}`;
                const other = identities.get(key);
                if (other !== undefined) {
                    this.issues.push({
                        ...user.workloadIdentity.source,
                        message: `has the same issuer and subject as the user ${other}; Snowflake allows one user per OIDC issuer and subject. Give each user its own subject`,
                    });
                }
                else {
                    identities.set(key, user.name);
                }
            }
            if (user.key) {
                for (const destination of (0,model/* keyDestinations */.zD)(user.key.secret, 'workflow/repository')) {
                    const key = JSON.stringify(destination);
                    const other = destinations.get(key);
                    if (other !== undefined && other !== user.name) {
                        this.issues.push({
                            ...user.key.secret.source,
                            message: `writes the same secret as the key of the user ${other}, so one private key would overwrite the other. Give each user's key its own secret name`,
                        });
                        break;
                    }
                    destinations.set(key, user.name);
                }
            }
        }
    }
}
/** How many dot-separated parts a Snowflake name has, dots inside double quotes not counting. */
function countQualifiedParts(name) {
    let parts = 1;
    let quoted = false;
    for (const ch of name) {
        if (ch === '"')
            quoted = !quoted;
        else if (ch === '.' && !quoted)
            parts++;
    }
    return parts;
}
function isDefined(value) {
    return value !== undefined;
}
/** `{ [key]: value }` when the value is defined, `{}` otherwise (so absent fields stay absent). */
function optional(key, value) {
    return (value === undefined ? {} : { [key]: value });
}


/***/ })

};
