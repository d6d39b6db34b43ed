export const id = 863;
export const ids = [863];
export const modules = {

/***/ 32863:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  loadSpec: () => (/* binding */ loadSpec)
});

// EXTERNAL MODULE: ./src/access-spec/model.ts
var model = __webpack_require__(39847);
;// CONCATENATED MODULE: ./src/access-spec/snowflake-catalog.ts
/**
 * What Snowflake offers that a spec refers to: the object kinds a privilege entry may name, the privileges each
 * accepts, and the objects every account has. Checked against Snowflake's documentation, linked below.
 */
/** The object kinds a role's `privileges` entry may name, as the spec writes them. */
const OBJECT_KINDS = (/* unused pure expression or super */ null && ([
    'account',
    'database',
    'schema',
    'warehouse',
    'user',
    'integration',
    'secret',
]));
function snowflakeObjectType(kind) {
    return kind.toUpperCase();
}
/** How many dot-separated parts a name of each kind has (0: the account has no name). */
const NAME_PARTS = {
    account: 0,
    database: 1,
    schema: 2,
    warehouse: 1,
    user: 1,
    integration: 1,
    secret: 3,
};
/**
 * The privileges each object type accepts, checked against Snowflake's documentation:
 * - GRANT <privileges> … TO ROLE, grammar of globalPrivileges, accountObjectPrivileges (per object type) and
 *   schemaPrivileges: https://docs.snowflake.com/en/sql-reference/sql/grant-privilege
 * - Access control privileges: https://docs.snowflake.com/en/user-guide/security-access-control-privileges
 * - MODIFY PROGRAMMATIC AUTHENTICATION METHODS on a user (to set its key or workload identity without owning it):
 *   https://docs.snowflake.com/en/user-guide/key-pair-auth#grant-the-privilege-to-assign-a-public-key-to-a-snowflake-user
 * - Secrets: CREATE SECRET on the schema, USAGE and OWNERSHIP on the secret
 *   (https://docs.snowflake.com/en/user-guide/api-authentication); READ on a secret, for Streamlit and
 *   Snowpark Container Services (https://docs.snowflake.com/en/developer-guide/streamlit/external-network-access).
 * OWNERSHIP is granted with GRANT OWNERSHIP (https://docs.snowflake.com/en/sql-reference/sql/grant-ownership) on
 * every type but the account. `ALL [PRIVILEGES]` is refused on purpose: a spec lists what it grants.
 * Snowflake adds privileges over time; an unknown name is an error that lists these, so extend them here.
 */
const PRIVILEGES = {
    account: [
        'APPLY AGGREGATION POLICY',
        'APPLY AUTHENTICATION POLICY',
        'APPLY JOIN POLICY',
        'APPLY MASKING POLICY',
        'APPLY PACKAGES POLICY',
        'APPLY PASSWORD POLICY',
        'APPLY PROJECTION POLICY',
        'APPLY ROW ACCESS POLICY',
        'APPLY SESSION POLICY',
        'APPLY TAG',
        'ATTACH POLICY',
        'AUDIT',
        'BIND SERVICE ENDPOINT',
        'CREATE ACCOUNT',
        'CREATE APPLICATION',
        'CREATE APPLICATION PACKAGE',
        'CREATE COMPUTE POOL',
        'CREATE DATA EXCHANGE LISTING',
        'CREATE DATABASE',
        'CREATE EXTERNAL VOLUME',
        'CREATE FAILOVER GROUP',
        'CREATE INTEGRATION',
        'CREATE NETWORK POLICY',
        'CREATE REPLICATION GROUP',
        'CREATE ROLE',
        'CREATE SHARE',
        'CREATE USER',
        'CREATE WAREHOUSE',
        'EXECUTE ALERT',
        'EXECUTE DATA METRIC FUNCTION',
        'EXECUTE MANAGED ALERT',
        'EXECUTE MANAGED TASK',
        'EXECUTE TASK',
        'IMPORT SHARE',
        'MANAGE ACCOUNT SUPPORT CASES',
        'MANAGE EVENT SHARING',
        'MANAGE GRANTS',
        'MANAGE LISTING AUTO FULFILLMENT',
        'MANAGE ORGANIZATION SUPPORT CASES',
        'MANAGE USER SUPPORT CASES',
        'MANAGE WAREHOUSES',
        'MODIFY LOG LEVEL',
        'MODIFY SESSION LOG LEVEL',
        'MODIFY SESSION TRACE LEVEL',
        'MODIFY TRACE LEVEL',
        'MONITOR EXECUTION',
        'MONITOR USAGE',
        'OVERRIDE SHARE RESTRICTIONS',
        'READ SESSION',
        'RESOLVE ALL',
    ],
    database: [
        'APPLYBUDGET',
        'CREATE DATABASE ROLE',
        'CREATE SCHEMA',
        'IMPORTED PRIVILEGES',
        'MODIFY',
        'MONITOR',
        'USAGE',
        'OWNERSHIP',
    ],
    schema: [
        'ADD SEARCH OPTIMIZATION',
        'APPLYBUDGET',
        'CREATE AGGREGATION POLICY',
        'CREATE ALERT',
        'CREATE AUTHENTICATION POLICY',
        'CREATE DYNAMIC TABLE',
        'CREATE EVENT TABLE',
        'CREATE EXTERNAL TABLE',
        'CREATE FILE FORMAT',
        'CREATE FUNCTION',
        'CREATE ICEBERG TABLE',
        'CREATE IMAGE REPOSITORY',
        'CREATE MASKING POLICY',
        'CREATE MATERIALIZED VIEW',
        'CREATE NETWORK RULE',
        'CREATE PASSWORD POLICY',
        'CREATE PIPE',
        'CREATE PROCEDURE',
        'CREATE PROJECTION POLICY',
        'CREATE ROW ACCESS POLICY',
        'CREATE SECRET',
        'CREATE SEMANTIC VIEW',
        'CREATE SEQUENCE',
        'CREATE SERVICE',
        'CREATE SESSION POLICY',
        'CREATE SNAPSHOT',
        'CREATE STAGE',
        'CREATE STREAM',
        'CREATE STREAMLIT',
        'CREATE TABLE',
        'CREATE TAG',
        'CREATE TASK',
        'CREATE VIEW',
        'MODIFY',
        'MONITOR',
        'USAGE',
        'OWNERSHIP',
    ],
    warehouse: ['APPLYBUDGET', 'MODIFY', 'MONITOR', 'OPERATE', 'USAGE', 'OWNERSHIP'],
    user: ['MODIFY PROGRAMMATIC AUTHENTICATION METHODS', 'MONITOR', 'OWNERSHIP'],
    integration: ['USAGE', 'USE_ANY_ROLE', 'OWNERSHIP'],
    secret: ['USAGE', 'READ', 'OWNERSHIP'],
};
/**
 * Objects every Snowflake account has, which a spec may name without declaring them
 * (https://docs.snowflake.com/en/user-guide/security-access-control-overview#system-defined-roles,
 * https://docs.snowflake.com/en/sql-reference/snowflake-db). Every database also has PUBLIC and INFORMATION_SCHEMA.
 */
const SYSTEM_ROLES = [
    'ACCOUNTADMIN',
    'SECURITYADMIN',
    'USERADMIN',
    'SYSADMIN',
    'ORGADMIN',
    'PUBLIC',
];
const SYSTEM_DATABASES = ['SNOWFLAKE'];
const IMPLICIT_SCHEMAS = ['PUBLIC', 'INFORMATION_SCHEMA'];

// EXTERNAL MODULE: ./src/errors.ts
var errors = __webpack_require__(83916);
// EXTERNAL MODULE: ./src/snowflake/identifiers.ts
var identifiers = __webpack_require__(67388);
// EXTERNAL MODULE: ./node_modules/yaml/dist/index.js
var dist = __webpack_require__(38815);
;// CONCATENATED MODULE: ./src/access-spec/yaml.ts



/**
 * Reading the spec's YAML (`yaml`'s parseDocument + LineCounter) into plain data, keeping the document to find
 * the line of any path in it. A file that is not a YAML mapping with a `version` is refused here, before
 * anything in it is quoted.
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
/** The spec's data, and where each path of it is written. Throws SpecError when the file is no access spec. */
function readSpecDocument(text, file) {
    refuseNonText(text, file);
    const lineCounter = new dist/* LineCounter */.HN();
    const doc = (0,dist/* parseDocument */.Tp)(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
    const locator = new Locator(doc, lineCounter, file);
    refuseSyntaxErrors(doc, lineCounter, file);
    refuseNonSpec(doc, locator);
    return { data: toData(doc, locator), locator };
}
function issue(file, line, path, message) {
    return new model/* SpecError */.G8([{ file, line, path, message }]);
}
/** Too large, or not text. */
function refuseNonText(text, file) {
    const size = Buffer.byteLength(text, 'utf8');
    if (size > model/* MAX_SPEC_BYTES */.p) {
        throw issue(file, 1, '(root)', `the file is ${size} bytes, more than the limit of ${model/* MAX_SPEC_BYTES */.p} bytes (1 MiB) for an access spec. Split it, or check that this is the right file`);
    }
    // YAML is text: characters outside its printable set (https://yaml.org/spec/1.2.2/#51-character-set) mean
    // a binary file, or one in another encoding (U+FFFD is what reading invalid UTF-8 leaves). The parser would
    // take such a file for a single value; say what it is instead.
    const notText = NOT_YAML_TEXT.exec(text);
    if (notText) {
        const found = notText[0];
        throw issue(file, text.slice(0, notText.index).split('\n').length, '(yaml)', `the file ${found === '\ufffd' ? 'holds bytes that are not UTF-8 text' : `holds the control character ${(0,identifiers/* describeCharacter */.zQ)(found)}`}, so it is not a YAML text file. Check that 'spec' names the access spec, saved as UTF-8`);
    }
}
function refuseSyntaxErrors(doc, lineCounter, file) {
    if (doc.errors.length === 0)
        return;
    throw new model/* SpecError */.G8([...doc.errors, ...doc.warnings].map((error) => ({
        file,
        line: error.linePos?.[0].line ?? lineCounter.linePos(error.pos[0]).line,
        path: '(yaml)',
        message: `${firstLine(error.message)}. Fix the YAML syntax here`,
    })));
}
/** Empty, not a mapping, or a mapping without an access spec's `version`. */
function refuseNonSpec(doc, locator) {
    const { file } = locator;
    if (doc.contents === null || ((0,dist/* isScalar */.jn)(doc.contents) && doc.contents.value === null)) {
        throw issue(file, 1, '(root)', 'the spec is empty. Start it with `version: 1`');
    }
    if (!(0,dist/* isMap */.jh)(doc.contents)) {
        throw issue(file, locator.line([]), '(root)', `the spec is ${(0,dist/* isSeq */.oP)(doc.contents) ? 'a list' : 'a single value'}, not a mapping. Write it as keys such as \`version: 1\`, \`roles:\` and \`users:\` at the top level`);
    }
    // Messages below quote the file's fields and values. A mapping without `version` is some other YAML file of
    // the repository (a workflow, a config with credentials in it): say only that it is not a spec.
    // A docker-compose or dependabot file has a `version` too, but a string ('3.8') or 2 under `updates:`; an
    // access spec's is a whole number (another one than 1 is a spec for another release, and the schema says so).
    const version = doc.contents.items.find((pair) => (0,dist/* isScalar */.jn)(pair.key) && pair.key.value === 'version');
    if (!version || !(0,dist/* isScalar */.jn)(version.value) || !Number.isInteger(version.value.value)) {
        throw issue(file, 1, '(root)', "'version: 1' is required at the top level: without it the file is not read as an access spec, and nothing else in it is checked or quoted. Check that 'spec' names the access spec, and start it with `version: 1`");
    }
}
function toData(doc, locator) {
    try {
        return doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    }
    catch (error) {
        throw issue(locator.file, locator.firstAliasLine() ?? 1, '(yaml)', `the YAML aliases expand too far (${error instanceof Error ? firstLine(error.message) : String(error)}). Write the repeated parts out instead of aliasing them`);
    }
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

;// CONCATENATED MODULE: ./src/access-spec/context.ts




/**
 * What building the model from the schema-valid document shares: the problems and warnings found so far, the
 * names declared (so that references resolve, also forwards), and the helpers that place and resolve a field.
 */
class SpecContext {
    locator;
    issues = [];
    warnings = [];
    databases = new Map();
    warehouses = new Set();
    networkPolicies = new Set();
    roles = new Set();
    users = new Set();
    secrets = new Set();
    constructor(locator) {
        this.locator = locator;
    }
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
    /** Calls one of the input parsers (parse.ts, github/destinations.ts), rewording its `Input '...'` message for a spec field. */
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
    /** The object a privilege entry names, with whether the spec (or Snowflake itself) provides it. */
    objectRef(kind, value, path) {
        const type = snowflakeObjectType(kind);
        if (kind === 'account')
            return { type, parts: [], name: '', declared: true, system: true };
        const parts = this.qualified(value ?? '', NAME_PARTS[kind], path);
        if (parts === undefined)
            return undefined;
        const [first = '', second = ''] = parts;
        let declared = false;
        let system = false;
        switch (kind) {
            case 'database':
                declared = this.databases.has(first);
                system = SYSTEM_DATABASES.includes(first);
                break;
            case 'schema':
                declared =
                    this.databases.has(first) &&
                        ((this.databases.get(first)?.has(second) ?? false) || IMPLICIT_SCHEMAS.includes(second));
                system = SYSTEM_DATABASES.includes(first);
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
        const system = SYSTEM_ROLES.includes(name);
        if (!declared && !system) {
            this.problem(path, `the role ${name} ${what} is not declared in \`roles\` and is not a Snowflake system role (${SYSTEM_ROLES.join(', ')}). Declare it under \`roles:\`, or correct the name`);
            return undefined;
        }
        return { name, declared, system, source: this.at(path) };
    }
}
function isDefined(value) {
    return value !== undefined;
}
/** `{ [key]: value }` when the value is defined, `{}` otherwise (so absent fields stay absent). */
function optional(key, value) {
    return (value === undefined ? {} : { [key]: value });
}

// EXTERNAL MODULE: ./src/github/placement.ts
var github_placement = __webpack_require__(70204);
;// CONCATENATED MODULE: ./src/access-spec/cross-checks.ts


/** Checks across elements of the spec: what each element is right on its own but not together with others. */
/** An object has one owner: two roles declared as its owner cannot both be right. */
function checkOwnership(ctx, roles, secrets) {
    const owners = new Map();
    const claim = (object, role, source) => {
        const owner = owners.get(object);
        if (owner === undefined) {
            owners.set(object, role);
        }
        else if (owner !== role) {
            ctx.issues.push({
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
function checkRoleCycles(ctx, roles) {
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
                        ctx.issues.push({
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
function checkSharedIdentities(ctx, users) {
    const identities = new Map();
    const destinations = new Map();
    for (const user of users.filter(isDefined)) {
        if (user.workloadIdentity) {
            const key = `${user.workloadIdentity.issuer}\u0000${user.workloadIdentity.subject}`;
            const other = identities.get(key);
            if (other !== undefined) {
                ctx.issues.push({
                    ...user.workloadIdentity.source,
                    message: `has the same issuer and subject as the user ${other}; Snowflake allows one user per OIDC issuer and subject. Give each user its own subject`,
                });
            }
            else {
                identities.set(key, user.name);
            }
        }
        if (user.key) {
            for (const destination of (0,github_placement/* keyDestinations */.z)(user.key.secret, 'workflow/repository')) {
                const key = JSON.stringify(destination);
                const other = destinations.get(key);
                if (other !== undefined && other !== user.name) {
                    ctx.issues.push({
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

// EXTERNAL MODULE: ./node_modules/ajv/dist/ajv.js
var ajv = __webpack_require__(42463);
;// CONCATENATED MODULE: ./schema/access-spec.schema.json
const access_spec_schema_namespaceObject = /*#__PURE__*/JSON.parse('{"$schema":"http://json-schema.org/draft-07/schema#","$id":"https://github.com/OWNER/snowflake-keypair-action/schema/access-spec.schema.json","title":"Snowflake access spec","description":"What snowflake-keypair-action `mode: setup` creates and `mode: verify` checks: databases, schemas, warehouses, network policies, roles and their privileges, users and their keys, and Snowflake secrets. Names follow Snowflake\'s identifier rules: unquoted names are upper-cased; to keep a name\'s case or use other characters, put double quotes inside the YAML string (\'\\"My Name\\"\').","type":"object","additionalProperties":false,"required":["version"],"properties":{"version":{"title":"Spec format version","description":"Always 1.","const":1},"databases":{"title":"Databases","description":"Databases to create (CREATE DATABASE IF NOT EXISTS) and check.","type":"array","items":{"$ref":"#/definitions/database"}},"warehouses":{"title":"Warehouses","description":"Virtual warehouses to create and whose settings verify compares.","type":"array","items":{"$ref":"#/definitions/warehouse"}},"network_policies":{"title":"Network policies","description":"Network policies (allowed and blocked IPv4 addresses) that users can be attached to.","type":"array","items":{"$ref":"#/definitions/networkPolicy"}},"roles":{"title":"Roles","description":"Account roles, the privileges granted to them and the roles granted to them.","type":"array","items":{"$ref":"#/definitions/role"}},"users":{"title":"Users","description":"Users, their defaults, roles, network policy, workload identity and key pair.","type":"array","items":{"$ref":"#/definitions/user"}},"secrets":{"title":"Snowflake secrets","description":"Snowflake SECRET objects (never their values) and the roles that may use them.","type":"array","items":{"$ref":"#/definitions/secret"}}},"definitions":{"identifier":{"type":"string","minLength":1,"description":"A Snowflake identifier: letters, digits, \'_\' and \'$\', not starting with a digit (stored upper-cased), or a double-quoted, case-sensitive name such as \'\\"Mixed Case\\"\'."},"comment":{"type":"string","title":"Comment","description":"Snowflake COMMENT of the object, on one line (no line breaks or other control characters).","pattern":"^[^\\\\u0000-\\\\u001f\\\\u007f]*$","maxLength":256},"stringList":{"type":"array","items":{"type":"string","minLength":1}},"stringOrList":{"type":["string","array"],"minLength":1,"items":{"type":"string","minLength":1}},"database":{"type":"object","additionalProperties":false,"required":["name"],"properties":{"name":{"$ref":"#/definitions/identifier","title":"Database name"},"comment":{"$ref":"#/definitions/comment"},"schemas":{"title":"Schemas","description":"Schemas to create in this database. PUBLIC always exists and need not be listed.","type":"array","items":{"$ref":"#/definitions/identifier"}}}},"warehouse":{"type":"object","additionalProperties":false,"required":["name"],"properties":{"name":{"$ref":"#/definitions/identifier","title":"Warehouse name"},"size":{"title":"WAREHOUSE_SIZE","description":"Snowflake\'s WAREHOUSE_SIZE values (CREATE WAREHOUSE). Absent: Snowflake\'s default (XSMALL), and verify does not compare it.","enum":["XSMALL","SMALL","MEDIUM","LARGE","XLARGE","XXLARGE","XXXLARGE","X4LARGE","X5LARGE","X6LARGE"]},"type":{"title":"WAREHOUSE_TYPE","description":"STANDARD or SNOWPARK-OPTIMIZED. Absent: Snowflake\'s default (STANDARD), and verify does not compare it.","enum":["STANDARD","SNOWPARK-OPTIMIZED"]},"auto_suspend":{"title":"AUTO_SUSPEND","description":"Seconds of inactivity before the warehouse suspends; 0 or null: never.","type":["integer","null"],"minimum":0},"auto_resume":{"title":"AUTO_RESUME","description":"Whether a query resumes the suspended warehouse.","type":"boolean"},"comment":{"$ref":"#/definitions/comment"}}},"networkPolicy":{"type":"object","additionalProperties":false,"required":["name"],"properties":{"name":{"$ref":"#/definitions/identifier","title":"Network policy name"},"allowed_ip_list":{"title":"ALLOWED_IP_LIST","description":"IPv4 addresses, each with an optional CIDR suffix (52.25.130.38/32, 34.223.203.0/28).","$ref":"#/definitions/stringList"},"blocked_ip_list":{"title":"BLOCKED_IP_LIST","description":"IPv4 addresses refused even when the allowed list covers them.","$ref":"#/definitions/stringList"},"comment":{"$ref":"#/definitions/comment"}}},"privilegeGrant":{"type":"object","additionalProperties":false,"required":["on","privileges"],"properties":{"on":{"title":"Object type","description":"What the privileges are on. `name` names the object, except for `account`.","enum":["account","database","schema","warehouse","user","integration","secret"]},"name":{"title":"Object name","description":"database, warehouse, user, integration: its name; schema: database.schema; secret: database.schema.name. Not used with `on: account`.","type":"string","minLength":1},"privileges":{"title":"Privileges","description":"Snowflake privilege names for this object type, e.g. USAGE, MONITOR, CREATE SCHEMA (database), CREATE SECRET (schema), OPERATE (warehouse), MODIFY PROGRAMMATIC AUTHENTICATION METHODS (user), CREATE USER or MANAGE GRANTS (account). OWNERSHIP on anything but the account.","type":"array","minItems":1,"items":{"type":"string","minLength":1,"examples":["USAGE","MONITOR","OWNERSHIP","CREATE SCHEMA","CREATE SECRET","OPERATE","MODIFY PROGRAMMATIC AUTHENTICATION METHODS","CREATE USER","CREATE ROLE","MANAGE GRANTS"]}}},"if":{"properties":{"on":{"const":"account"}},"required":["on"]},"then":{"properties":{"name":false}},"else":{"required":["name"]}},"role":{"type":"object","additionalProperties":false,"required":["name"],"properties":{"name":{"$ref":"#/definitions/identifier","title":"Role name"},"comment":{"$ref":"#/definitions/comment"},"privileges":{"title":"Privileges granted to this role","type":"array","items":{"$ref":"#/definitions/privilegeGrant"}},"roles":{"title":"Roles granted to this role","description":"Each must be declared in `roles` or be a Snowflake system role.","type":"array","items":{"$ref":"#/definitions/identifier"}}}},"workloadIdentity":{"type":"object","additionalProperties":false,"required":["issuer","subject"],"description":"Keyless login by OIDC workload identity federation (TYPE = SERVICE users only).","properties":{"issuer":{"title":"ISSUER","description":"The OIDC issuer URL, e.g. https://token.actions.githubusercontent.com","type":"string","minLength":1},"subject":{"title":"SUBJECT","description":"The exact `sub` claim, e.g. repo:acme/app:environment:production","type":"string","minLength":1},"audiences":{"title":"OIDC_AUDIENCE_LIST","description":"Accepted audiences; absent: snowflakecomputing.com.","$ref":"#/definitions/stringList"}}},"keySecret":{"type":"object","additionalProperties":false,"required":["name"],"description":"The GitHub Actions secret that receives the private key.","properties":{"name":{"title":"Secret name","description":"Letters, digits and \'_\', not starting with a digit or GITHUB_.","type":"string","minLength":1},"repository":{"title":"Repositories","description":"owner/repo, or a list; absent: the repository running the workflow.","$ref":"#/definitions/stringOrList"},"environment":{"title":"Environments","description":"Environment name, or a list: write environment secrets instead of repository secrets.","$ref":"#/definitions/stringOrList"},"organization":{"title":"Organization","description":"Write an organization secret instead (not with repository or environment).","type":"string","minLength":1},"visibility":{"title":"Organization secret visibility","description":"Organization secrets only; default private.","enum":["all","private","selected"]},"selected_repositories":{"title":"Selected repositories","description":"With visibility: selected, the organization\'s repositories that may read the secret.","$ref":"#/definitions/stringList"}}},"key":{"type":"object","additionalProperties":false,"required":["secret"],"description":"The user\'s key pair: setup generates the first key and stores the private half in `secret`; verify checks its age (SERVICE and LEGACY_SERVICE users only).","properties":{"secret":{"$ref":"#/definitions/keySecret"},"max_age":{"title":"Maximum key age","description":"A duration such as 90d, 36h or 90m; verify reports older keys. Absent: the action\'s max-key-age input.","type":"string","minLength":1}}},"user":{"type":"object","additionalProperties":false,"required":["name","type"],"properties":{"name":{"$ref":"#/definitions/identifier","title":"User name"},"type":{"title":"TYPE","description":"SERVICE (no password, key pair or workload identity), LEGACY_SERVICE or PERSON.","enum":["SERVICE","LEGACY_SERVICE","PERSON"]},"default_role":{"title":"DEFAULT_ROLE","$ref":"#/definitions/identifier"},"default_warehouse":{"title":"DEFAULT_WAREHOUSE","$ref":"#/definitions/identifier"},"default_namespace":{"title":"DEFAULT_NAMESPACE","description":"database or database.schema","type":"string","minLength":1},"roles":{"title":"Roles granted to the user","type":"array","items":{"$ref":"#/definitions/identifier"}},"network_policy":{"title":"NETWORK_POLICY","description":"A network policy declared in `network_policies`.","$ref":"#/definitions/identifier"},"comment":{"$ref":"#/definitions/comment"},"workload_identity":{"$ref":"#/definitions/workloadIdentity"},"key":{"$ref":"#/definitions/key"}}},"secretGrant":{"type":"object","additionalProperties":false,"required":["role","privileges"],"properties":{"role":{"title":"Role","$ref":"#/definitions/identifier"},"privileges":{"title":"Privileges","description":"USAGE, READ or OWNERSHIP.","type":"array","minItems":1,"items":{"type":"string","examples":["USAGE","READ","OWNERSHIP"]}}}},"secret":{"type":"object","additionalProperties":false,"required":["name","type"],"properties":{"name":{"title":"Secret name","description":"Fully qualified: database.schema.name","type":"string","minLength":1},"type":{"title":"TYPE","description":"GENERIC_STRING or PASSWORD. Values never appear in the spec.","enum":["GENERIC_STRING","PASSWORD"]},"comment":{"$ref":"#/definitions/comment"},"grants":{"title":"Grants on the secret","type":"array","items":{"$ref":"#/definitions/secretGrant"}}}}}}');
;// CONCATENATED MODULE: ./src/access-spec/schema-issues.ts





/** The JSON Schema check of the access spec, with ajv's errors reworded to say what to write instead. */
/** A control character: a field that is one line must not hold one. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;
// Compiled once, on first use. The schema is draft-07, which the default Ajv class handles without extra
// packages. Strict mode, with union types allowed (`repository` is a string or a list); `verbose` gives each
// error its schema and data, for messages that list the allowed fields.
let compiled;
function validator() {
    compiled ??= new ajv.Ajv({ allErrors: true, verbose: true, strict: true, allowUnionTypes: true }).compile(access_spec_schema_namespaceObject);
    return compiled;
}
/** ajv's errors, reworded to say what is wrong and what to write instead. */
function schemaIssues(errors, locator) {
    const issues = [];
    const seen = new Set();
    for (const error of errors) {
        // `if` only reports that its `then`/`else` failed; that branch's own error says why.
        if (error.keyword === 'if')
            continue;
        const { at, message } = schemaIssue(error);
        const key = `${formatPath(at)}\u0000${message}`;
        if (seen.has(key))
            continue;
        seen.add(key);
        issues.push({ ...locator.at(at), message });
    }
    return (0,model/* sortIssues */.V)(issues);
}
/** One ajv error: the path it is about, and what to write instead. */
function schemaIssue(error) {
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
    return { at, message };
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

;// CONCATENATED MODULE: ./src/access-spec/objects.ts



/** The spec's databases, warehouses, network policies, roles and secrets, from the schema-valid document. */
const IPV4_OCTET = '(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const IPV4_CIDR = new RegExp(`^${IPV4_OCTET}(\\.${IPV4_OCTET}){3}(/(3[0-2]|[12]?\\d))?$`);
function buildDatabase(ctx, raw, path) {
    const name = ctx.declare(new Set(ctx.databases.keys()), 'database', raw.name, [...path, 'name'], (resolved) => SYSTEM_DATABASES.includes(resolved)
        ? `is the Snowflake system database ${resolved}, which every account has. Do not declare it`
        : undefined);
    if (name === undefined)
        return undefined;
    const schemaNames = new Set();
    ctx.databases.set(name, schemaNames);
    const schemas = (raw.schemas ?? []).flatMap((value, i) => {
        const schemaPath = [...path, 'schemas', i];
        const schemaName = ctx.declare(schemaNames, `schema of ${name}`, value, schemaPath);
        return schemaName === undefined ? [] : [{ database: name, name: schemaName, source: ctx.at(schemaPath) }];
    });
    return { name, ...optional('comment', raw.comment), schemas, ...ctx.placed(path, raw) };
}
function buildWarehouse(ctx, raw, path) {
    const name = ctx.declare(ctx.warehouses, 'warehouse', raw.name, [...path, 'name']);
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
        ...ctx.placed(path, raw),
    };
}
function buildNetworkPolicy(ctx, raw, path) {
    const name = ctx.declare(ctx.networkPolicies, 'network policy', raw.name, [...path, 'name']);
    const addresses = (field) => {
        const result = [];
        (raw[field] ?? []).forEach((value, i) => {
            const address = value.trim();
            if (!IPV4_CIDR.test(address)) {
                ctx.problem([...path, field, i], `${JSON.stringify(value)} is not an IPv4 address with an optional CIDR suffix. Write it like 52.25.130.38 or 34.223.203.0/28 (Snowflake network policies take IPv4 only)`);
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
        ctx.problem(path, 'declares no addresses. List the addresses to allow in allowed_ip_list (and any to refuse in blocked_ip_list)');
    }
    if (name === undefined)
        return undefined;
    return {
        name,
        allowedIpList,
        blockedIpList,
        ...optional('comment', raw.comment),
        ...ctx.placed(path, raw),
    };
}
function buildRole(ctx, raw, name, path) {
    const privileges = (raw.privileges ?? []).flatMap((entry, i) => {
        const spec = privilegeEntry(ctx, entry, [...path, 'privileges', i]);
        return spec === undefined ? [] : [spec];
    });
    const roles = (raw.roles ?? []).flatMap((value, i) => {
        const ref = ctx.roleRef(value, [...path, 'roles', i], 'granted to this role');
        if (ref !== undefined && ref.name === name) {
            ctx.problem([...path, 'roles', i], `grants the role ${name} to itself. Remove it`);
            return [];
        }
        return ref === undefined ? [] : [ref];
    });
    if (name === undefined)
        return undefined;
    return { name, ...optional('comment', raw.comment), privileges, roles, ...ctx.placed(path, raw) };
}
function privilegeEntry(ctx, raw, path) {
    const object = ctx.objectRef(raw.on, raw.name, [...path, 'name']);
    const privileges = privilegeNames(ctx, raw.privileges, raw.on, [...path, 'privileges']);
    if (object === undefined || privileges === undefined)
        return undefined;
    return { on: raw.on, object, privileges, source: ctx.at(path) };
}
/** Upper-cased, single-spaced, de-duplicated, each checked against the object type's privileges. */
function privilegeNames(ctx, values, kind, path, allowed = PRIVILEGES[kind]) {
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
            ctx.problem([...path, i], `${why}. Use one of: ${allowed.join(', ')}${suggestion(name, allowed)}`);
        }
        else if (!result.some((privilege) => privilege.name === name)) {
            result.push({ name, source: ctx.at([...path, i]) });
        }
    });
    return valid ? result : undefined;
}
function declareSecretName(ctx, value, index) {
    const path = ['secrets', index, 'name'];
    const parts = ctx.qualified(value, 3, path);
    if (parts === undefined)
        return undefined;
    const qualified = parts.join('.');
    if (ctx.secrets.has(qualified)) {
        ctx.problem(path, `declares the secret ${qualified} a second time. Merge the two entries or rename one`);
        return undefined;
    }
    ctx.secrets.add(qualified);
    return parts;
}
function buildSecret(ctx, raw, parts, path) {
    const grants = (raw.grants ?? []).flatMap((grant, i) => {
        const grantPath = [...path, 'grants', i];
        const role = ctx.roleRef(grant.role, [...grantPath, 'role'], 'given privileges on this secret');
        const privileges = privilegeNames(ctx, grant.privileges, 'secret', [...grantPath, 'privileges']);
        if (role === undefined || privileges === undefined)
            return [];
        return [{ role, privileges, source: ctx.at(grantPath) }];
    });
    if (parts === undefined)
        return undefined;
    const [database = '', schema = '', name = ''] = parts;
    const schemaDeclared = (ctx.databases.get(database)?.has(schema) ?? false) ||
        (ctx.databases.has(database) && IMPLICIT_SCHEMAS.includes(schema));
    return {
        database,
        schema,
        name,
        qualifiedName: parts.join('.'),
        type: raw.type,
        ...optional('comment', raw.comment),
        grants,
        schemaDeclared,
        ...ctx.placed(path, raw),
    };
}

// EXTERNAL MODULE: ./src/github/destinations.ts
var destinations = __webpack_require__(64934);
// EXTERNAL MODULE: ./src/parse.ts
var parse = __webpack_require__(32828);
;// CONCATENATED MODULE: ./src/access-spec/users.ts






/** The spec's users: references to roles and objects, workload identity, and where each key goes. */
/** Snowflake keeps an OIDC SUBJECT of at most 255 characters (CREATE USER ... WORKLOAD_IDENTITY). */
const MAX_SUBJECT_LENGTH = 255;
function buildUser(ctx, raw, name, path) {
    const defaultRole = raw.default_role === undefined
        ? undefined
        : ctx.roleRef(raw.default_role, [...path, 'default_role'], 'named as default_role');
    const defaultWarehouse = raw.default_warehouse === undefined
        ? undefined
        : located(ctx, ctx.objectRef('warehouse', raw.default_warehouse, [...path, 'default_warehouse']), [
            ...path,
            'default_warehouse',
        ]);
    const defaultNamespace = raw.default_namespace === undefined
        ? undefined
        : namespaceRef(ctx, raw.default_namespace, [...path, 'default_namespace']);
    const roles = (raw.roles ?? []).flatMap((value, i) => {
        const ref = ctx.roleRef(value, [...path, 'roles', i], 'granted to this user');
        return ref === undefined ? [] : [ref];
    });
    let networkPolicy;
    if (raw.network_policy !== undefined) {
        const policyPath = [...path, 'network_policy'];
        const policy = ctx.identifier(raw.network_policy, policyPath);
        if (policy !== undefined && !ctx.networkPolicies.has(policy)) {
            ctx.problem(policyPath, `the network policy ${policy} is not declared in \`network_policies\`. Declare it there, with its allowed_ip_list, or correct the name`);
        }
        else if (policy !== undefined) {
            networkPolicy = { name: policy, source: ctx.at(policyPath) };
        }
    }
    const workloadIdentity = raw.workload_identity === undefined
        ? undefined
        : buildWorkloadIdentity(ctx, raw.workload_identity, raw.type, [...path, 'workload_identity']);
    const key = raw.key === undefined ? undefined : buildKey(ctx, raw.key, raw.type, [...path, 'key']);
    if (defaultRole !== undefined &&
        defaultRole.name !== 'PUBLIC' &&
        raw.roles !== undefined &&
        !roles.some((role) => role.name === defaultRole.name)) {
        ctx.warnings.push({
            ...ctx.at([...path, 'default_role']),
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
        ...ctx.placed(path, raw),
    };
}
function located(ctx, ref, path) {
    return ref === undefined ? undefined : { ...ref, source: ctx.at(path) };
}
/** DEFAULT_NAMESPACE: `database` or `database.schema`. */
function namespaceRef(ctx, value, path) {
    const parts = countQualifiedParts(value) === 1 ? 1 : 2;
    if (countQualifiedParts(value) > 2) {
        ctx.problem(path, `${JSON.stringify(value)} has more than two parts. Write database or database.schema`);
        return undefined;
    }
    return located(ctx, ctx.objectRef(parts === 1 ? 'database' : 'schema', value, path), path);
}
function buildWorkloadIdentity(ctx, raw, type, path) {
    let valid = true;
    if (type !== 'SERVICE') {
        valid = false;
        ctx.problem(path, `is set on a ${type} user, but Snowflake accepts workload identity only on TYPE = SERVICE users. Set \`type: SERVICE\`, or remove workload_identity`);
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
        ctx.problem([...path, 'issuer'], `holds the control character ${(0,identifiers/* describeCharacter */.zQ)(issuerControl[0])}. Write the issuer URL on one line, e.g. https://token.actions.githubusercontent.com`);
    }
    else if (issuer?.protocol !== 'https:') {
        valid = false;
        ctx.problem([...path, 'issuer'], `${JSON.stringify(raw.issuer)} is not an https:// URL. For GitHub Actions write https://token.actions.githubusercontent.com`);
    }
    const subject = raw.subject.trim();
    // eslint-disable-next-line no-control-regex
    if (subject === '' || subject.length > MAX_SUBJECT_LENGTH || /[\u0000-\u001f\u007f]/.test(subject)) {
        valid = false;
        ctx.problem([...path, 'subject'], `should be the exact \`sub\` claim (1 to ${MAX_SUBJECT_LENGTH} characters, one line), e.g. repo:acme/app:environment:production`);
    }
    const audiences = raw.audiences?.map((audience) => audience.trim());
    audiences?.forEach((audience, i) => {
        const control = CONTROL.exec(audience);
        if (audience === '' || control) {
            valid = false;
            ctx.problem([...path, 'audiences', i], `${control ? `holds the control character ${(0,identifiers/* describeCharacter */.zQ)(control[0])}` : 'is blank'}. Give the audience the token is issued for, on one line, e.g. snowflakecomputing.com`);
        }
    });
    if (!valid)
        return undefined;
    return { issuer: raw.issuer, subject, ...optional('audiences', audiences), source: ctx.at(path) };
}
function buildKey(ctx, raw, type, path) {
    if (type === 'PERSON') {
        ctx.problem(path, 'is set on a PERSON user. The action manages key pairs of service users only: set `type: SERVICE` (or LEGACY_SERVICE), or remove the key block');
        return undefined;
    }
    const secretPath = [...path, 'secret'];
    const secret = raw.secret;
    const name = ctx.parse([...secretPath, 'name'], (input) => (0,destinations/* parseSecretName */.bK)(secret.name, input));
    const placement = (0,github_placement/* checkPlacement */.M)(placementFields(secret), placementReporter(ctx, secret, secretPath));
    let maxAgeMs;
    if (raw.max_age !== undefined) {
        maxAgeMs = ctx.parse([...path, 'max_age'], (input) => (0,parse/* parseDuration */.E)(raw.max_age ?? '', input));
        if (maxAgeMs === 0) {
            ctx.problem([...path, 'max_age'], 'is zero. Give the longest age a key may reach, e.g. 90d');
        }
    }
    if (name === undefined)
        return undefined;
    return {
        secret: { name, ...placement, source: ctx.at(secretPath) },
        ...optional('maxAgeMs', maxAgeMs),
        ...ctx.placed(path, raw),
    };
}
/** `key.secret` as the placement rules take it: a name or a list as a list, each name trimmed. */
function placementFields(secret) {
    const list = (value) => value === undefined ? undefined : (Array.isArray(value) ? value : [value]).map((item) => item.trim());
    return {
        organization: secret.organization?.trim(),
        repositories: list(secret.repository),
        environments: list(secret.environment),
        visibility: secret.visibility,
        selectedRepositories: secret.selected_repositories ?? [],
    };
}
/** The field of `key.secret` where each rule between its fields is reported, and what the report says. */
const PLACEMENT_ISSUES = {
    'organization-with-repository': [
        'organization',
        'is set together with repository or environment. A key goes either to an organization secret or to repository/environment secrets: remove one',
    ],
    'selected-visibility-without-list': [
        'visibility',
        "is 'selected' without selected_repositories. List the repositories that may read the secret, or choose private or all",
    ],
    'visibility-without-organization': [
        'visibility',
        'applies to organization secrets only. Remove it, or set organization',
    ],
    'list-without-selected-visibility': [
        'selected_repositories',
        'is set without `visibility: selected`. Set the visibility to selected, or remove the list',
    ],
};
/** Reports a placement problem on the field of `key.secret` that breaks the rule. */
function placementReporter(ctx, secret, secretPath) {
    const fieldPath = (field, index) => {
        switch (field) {
            case 'organization':
                return [...secretPath, 'organization'];
            case 'repository':
            case 'environment':
                // A single name, or a list of them.
                return Array.isArray(secret[field]) ? [...secretPath, field, index] : [...secretPath, field];
            case 'selectedRepositories':
                return [...secretPath, 'selected_repositories', index];
        }
    };
    return {
        parse: (field, index, parse) => ctx.parse(fieldPath(field, index), parse),
        problem: (problem) => {
            switch (problem.rule) {
                case 'outside-organization':
                    return ctx.problem(fieldPath('selectedRepositories', problem.index), `is not a repository of ${problem.organization}. List repositories of ${problem.organization} only`);
                case 'no-repository':
                    // A spec's key without a repository goes to the repository of the workflow that runs setup.
                    return;
                default: {
                    const [field, message] = PLACEMENT_ISSUES[problem.rule];
                    return ctx.problem([...secretPath, field], message);
                }
            }
        },
    };
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

;// CONCATENATED MODULE: ./src/access-spec/load.ts








/**
 * Loads an access spec: YAML with line numbers (yaml.ts), validated against schema/access-spec.schema.json
 * (schema-issues.ts), then checked for what a schema cannot say: Snowflake identifiers, unique names, references
 * that resolve, which user types may have a key or a workload identity, IP addresses and durations (objects.ts,
 * users.ts, cross-checks.ts). No network: objects the spec refers to without declaring them are marked
 * `declared: false` for the caller to look up in the account. Every problem is reported at once, one per line,
 * as `<file>:<line>: <path>: <what is wrong and how to fix it>`.
 */
/** Parses and checks an access spec. Throws SpecError (an ActionError, code `invalid-spec`) listing every problem. */
function loadSpec(text, file) {
    const { data, locator } = readSpecDocument(text, file);
    const validate = validator();
    if (!validate(data))
        throw new model/* SpecError */.G8(schemaIssues(validate.errors ?? [], locator));
    return build(data, locator);
}
/** Turns the schema-valid document into the model, collecting every semantic problem. */
function build(raw, locator) {
    const ctx = new SpecContext(locator);
    // Names first, so that references can point forwards (a role granted before it is declared).
    const databases = (raw.databases ?? []).map((db, i) => buildDatabase(ctx, db, ['databases', i]));
    const warehouses = (raw.warehouses ?? []).map((wh, i) => buildWarehouse(ctx, wh, ['warehouses', i]));
    const networkPolicies = (raw.network_policies ?? []).map((np, i) => buildNetworkPolicy(ctx, np, ['network_policies', i]));
    const roleNames = (raw.roles ?? []).map((role, i) => ctx.declare(ctx.roles, 'role', role.name, ['roles', i, 'name'], (name) => SYSTEM_ROLES.includes(name)
        ? `is the Snowflake system role ${name}, which every account has. Do not declare it: grant it or refer to it by name`
        : undefined));
    const userNames = (raw.users ?? []).map((user, i) => ctx.declare(ctx.users, 'user', user.name, ['users', i, 'name']));
    const secretNames = (raw.secrets ?? []).map((secret, i) => declareSecretName(ctx, secret.name, i));
    const roles = (raw.roles ?? []).map((role, i) => buildRole(ctx, role, roleNames[i], ['roles', i]));
    const users = (raw.users ?? []).map((user, i) => buildUser(ctx, user, userNames[i], ['users', i]));
    const secrets = (raw.secrets ?? []).map((secret, i) => buildSecret(ctx, secret, secretNames[i], ['secrets', i]));
    checkOwnership(ctx, roles, secrets);
    checkRoleCycles(ctx, roles);
    checkSharedIdentities(ctx, users);
    if (ctx.issues.length > 0)
        throw new model/* SpecError */.G8((0,model/* sortIssues */.V)(ctx.issues));
    return {
        file: locator.file,
        version: 1,
        databases: databases.filter(isDefined),
        warehouses: warehouses.filter(isDefined),
        networkPolicies: networkPolicies.filter(isDefined),
        roles: roles.filter(isDefined),
        users: users.filter(isDefined),
        secrets: secrets.filter(isDefined),
        warnings: (0,model/* sortIssues */.V)(ctx.warnings),
        source: locator.at([]),
    };
}


/***/ })

};
