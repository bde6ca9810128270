/** Redaction rules (shared/reference/settings.md §5). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BUILT_IN_REDACTED_IDENTIFIERS, normalizeIdentifier, Redaction } from '../../src/capture/index.js';
import { NO_REDACTION_SETTINGS } from './helpers.js';

/** The 85 normalised names listed in the reference. */
const REFERENCE_NORMALISED = `2fa accesstoken aiohttpsession apikey apisecret apisignature appkey applicationkey auth
authorization authtoken ccnumber certificatepin cipher clientid clientsecret connectionstring connectsid cookie
credentials creditcard csrf csrftoken cvv databaseurl dburl encryptionkey encryptionkeyid geolocation gpgkey ipaddress
jti jwt licensekey masterkey mysqlpwd nonce oauth oauthtoken otp passhash passwd password passwordb pemfile pgpkey
phpsessid pin pincode pkcs8 privatekey publickey pwd recaptchakey refreshtoken routingnumber salt secret secretkey
secrettoken securityanswer securitycode securityquestion serviceaccountcredentials session sessionid sessionkey
setcookie signature signaturekey sshkey ssn symfony token transactionid twiliotoken usersession voterid xapikey
xauthtoken xcsrftoken xforwardedfor xrealip xsrf xsrftoken`.split(/\s+/);

describe('Redaction', () => {
  it('builds the 85 reference names from the 88 built-in entries', () => {
    assert.equal(BUILT_IN_REDACTED_IDENTIFIERS.length, 88);
    const r = new Redaction(NO_REDACTION_SETTINGS);
    assert.equal(REFERENCE_NORMALISED.length, 85);
    assert.deepEqual([...r.identifiers].sort(), [...REFERENCE_NORMALISED].sort());
  });

  it('normalises case, separators and a leading http_', () => {
    for (const name of ['Access_Token', 'ACCESSTOKEN', 'access-token', '@accessToken', '$access.token', 'HTTP_ACCESS_TOKEN']) {
      assert.equal(normalizeIdentifier(name), 'accesstoken', name);
    }
    assert.equal(normalizeIdentifier('_2fa'), '2fa');
    assert.equal(normalizeIdentifier('http-token'), 'httptoken', 'only the http_ prefix is stripped');
    assert.equal(normalizeIdentifier('plain'), 'plain');
  });

  it('matches whole normalised names, not substrings', () => {
    const r = new Redaction(NO_REDACTION_SETTINGS);
    assert.equal(r.isRedactedName('password'), true);
    assert.equal(r.isRedactedName('Pass-Word'), true);
    assert.equal(r.isRedactedName('PassWord'), true);
    assert.equal(r.isRedactedName('HTTP_AUTHORIZATION'), true);
    assert.equal(r.isRedactedName('x-auth-token'), true);
    assert.equal(r.isRedactedName('passwords'), false);
    assert.equal(r.isRedactedName('mypassword'), false);
    assert.equal(r.isRedactedName('username'), false);
  });

  it('matches symbol keys on their description', () => {
    const r = new Redaction(NO_REDACTION_SETTINGS);
    assert.equal(r.isRedactedName(Symbol('api_key')), true);
    assert.equal(r.isRedactedName(Symbol('Symbol(token)')), false);
    assert.equal(r.isRedactedName(Symbol()), false);
    assert.equal(r.isRedactedName(Symbol('name')), false);
  });

  it('adds configured identifiers and removes excluded ones, both normalised', () => {
    const r = new Redaction({
      redactedIdentifiers: ['Customer-SSN', ' internal_id '],
      redactionExcludedIdentifiers: ['Set-Cookie', 'TOKEN'],
      redactedTypes: [],
    });
    assert.equal(r.isRedactedName('customerSsn'), true);
    assert.equal(r.isRedactedName('internalId'), true);
    assert.equal(r.isRedactedName('set_cookie'), false);
    assert.equal(r.isRedactedName('token'), false);
    assert.equal(r.isRedactedName('password'), true);
  });

  it('stays correct past the size of its name cache', () => {
    const r = new Redaction(NO_REDACTION_SETTINGS);
    for (let i = 0; i < 10_000; i++) assert.equal(r.isRedactedName(`field${i}`), false);
    assert.equal(r.isRedactedName('password'), true);
    assert.equal(r.isRedactedName('field1'), false);
  });

  it('redacts types by exact name or trailing-* prefix', () => {
    const r = new Redaction({ ...NO_REDACTION_SETTINGS, redactedTypes: ['Credentials', 'Secret*', ' '] });
    assert.equal(r.hasRedactedTypes, true);
    assert.equal(r.isRedactedType('Credentials'), true);
    assert.equal(r.isRedactedType('CredentialsStore'), false);
    assert.equal(r.isRedactedType('Secret'), true);
    assert.equal(r.isRedactedType('SecretBox'), true);
    assert.equal(r.isRedactedType('MySecret'), false);
    assert.equal(new Redaction(NO_REDACTION_SETTINGS).hasRedactedTypes, false);
  });
});
