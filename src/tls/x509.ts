/**
 * Certificates as DER bytes, built with pkijs and signed through Node's WebCrypto (whose signing runs on
 * libuv's thread pool, not on the event loop). Knows nothing of files or sockets: ./ca.ts stores the CA,
 * ./leaf.ts turns leaves into TLS contexts.
 *
 * Extensions follow RFC 5280 and the CA/Browser Forum baseline: the CA has basicConstraints CA:true
 * (critical, pathLen 0: it only signs leaves), keyUsage keyCertSign+cRLSign (critical) and a
 * subjectKeyIdentifier; a leaf has basicConstraints CA:false, keyUsage, extKeyUsage serverAuth, one
 * subjectAltName and an authorityKeyIdentifier equal to the CA's subjectKeyIdentifier.
 */
import { createHash, randomBytes, webcrypto, type KeyObject } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { CaConfigError } from './errors.js';
import type { LeafSubject } from './host.js';

/** pkijs names the DOM's WebCrypto types, which a Node-only build does not declare: take them from its API. */
type PkiCrypto = ConstructorParameters<typeof pkijs.CryptoEngine>[0]['crypto'];
type PkiCryptoKey = Parameters<pkijs.Certificate['sign']>[0];

/** Node's WebCrypto, passed to every pkijs call so wsdiag never touches pkijs's global engine. */
const engine = new pkijs.CryptoEngine({ name: 'node', crypto: webcrypto as unknown as PkiCrypto });

const OID = {
  commonName: '2.5.4.3',
  organization: '2.5.4.10',
  organizationalUnit: '2.5.4.11',
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  authorityKeyIdentifier: '2.5.29.35',
  extKeyUsage: '2.5.29.37',
  serverAuth: '1.3.6.1.5.5.7.3.1',
} as const;

/** keyUsage bits, numbered as in RFC 5280 §4.2.1.3 (bit 0 is the most significant bit of the first byte). */
const KeyUsageBit = { digitalSignature: 0, keyEncipherment: 2, keyCertSign: 5, cRLSign: 6 } as const;

/** The key types wsdiag creates. A loaded CA may also hold P-384 or a larger RSA key (see keyProfile). */
export type CaKeyType = 'ecdsa' | 'rsa';

/** How a key signs: the WebCrypto import parameters, the hash, and a label for people. */
export interface KeyProfile {
  readonly label: string;
  readonly importParams: webcrypto.EcKeyImportParams | webcrypto.RsaHashedImportParams;
  readonly hash: 'SHA-256' | 'SHA-384';
  /** RSA leaf keys may also encipher (TLS 1.2 RSA key exchange); EC keys only sign. */
  readonly rsa: boolean;
}

export const GENERATE_PARAMS: Record<CaKeyType, webcrypto.EcKeyGenParams | webcrypto.RsaHashedKeyGenParams> = {
  ecdsa: { name: 'ECDSA', namedCurve: 'P-256' },
  rsa: { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
};

/** The signing profile of a key, or a CaConfigError for a key wsdiag cannot sign certificates with. */
export function keyProfile(key: KeyObject): KeyProfile {
  const details = key.asymmetricKeyDetails;
  if (key.asymmetricKeyType === 'ec') {
    if (details?.namedCurve === 'prime256v1') {
      return { label: 'ECDSA P-256', importParams: { name: 'ECDSA', namedCurve: 'P-256' }, hash: 'SHA-256', rsa: false };
    }
    if (details?.namedCurve === 'secp384r1') {
      return { label: 'ECDSA P-384', importParams: { name: 'ECDSA', namedCurve: 'P-384' }, hash: 'SHA-384', rsa: false };
    }
  }
  if (key.asymmetricKeyType === 'rsa' && (details?.modulusLength ?? 0) >= 2048) {
    return {
      label: `RSA ${details?.modulusLength ?? ''}`.trim(),
      importParams: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
      hash: 'SHA-256',
      rsa: true,
    };
  }
  const what =
    key.asymmetricKeyType === 'ec' ? `EC ${details?.namedCurve ?? '?'}` : `${key.asymmetricKeyType ?? '?'} ${details?.modulusLength ?? ''}`;
  throw new CaConfigError(`unsupported CA key type ${what.trim()}: wsdiag signs with ECDSA P-256/P-384 or RSA of 2048 bits or more`);
}

/** Imports a private KeyObject for WebCrypto signing. */
export async function importSigningKey(key: KeyObject, profile: KeyProfile): Promise<webcrypto.CryptoKey> {
  try {
    const der = key.export({ type: 'pkcs8', format: 'der' });
    return await webcrypto.subtle.importKey('pkcs8', der, profile.importParams, false, ['sign']);
  } catch (err) {
    throw new CaConfigError(`the CA private key cannot be used for signing (${err instanceof Error ? err.message : String(err)})`, {
      cause: err,
    });
  }
}

/** RFC 5280 §4.2.1.2 method 1: SHA-1 of the subjectPublicKey BIT STRING's value. */
export function keyIdentifier(spkiDer: Uint8Array): Uint8Array {
  const info = pkijs.PublicKeyInfo.fromBER(spkiDer);
  return createHash('sha1').update(info.subjectPublicKey.valueBlock.valueHexView).digest();
}

export interface CaCertificateSpec {
  readonly commonName: string;
  readonly organizationalUnit: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly publicKeySpki: Uint8Array;
  readonly signingKey: webcrypto.CryptoKey;
  readonly profile: KeyProfile;
}

/** A self-signed CA certificate, DER. */
export async function buildCaCertificate(spec: CaCertificateSpec): Promise<Uint8Array> {
  const ski = keyIdentifier(spec.publicKeySpki);
  const name = distinguishedName([
    [OID.organization, 'wsdiag'],
    [OID.organizationalUnit, spec.organizationalUnit],
    [OID.commonName, spec.commonName],
  ]);
  const cert = new pkijs.Certificate({
    version: 2,
    serialNumber: randomSerial(),
    issuer: name,
    subject: name,
    notBefore: certificateTime(spec.notBefore),
    notAfter: certificateTime(spec.notAfter),
    subjectPublicKeyInfo: pkijs.PublicKeyInfo.fromBER(spec.publicKeySpki),
    extensions: [
      extension(OID.basicConstraints, true, new pkijs.BasicConstraints({ cA: true, pathLenConstraint: 0 }).toSchema()),
      extension(OID.keyUsage, true, keyUsage([KeyUsageBit.keyCertSign, KeyUsageBit.cRLSign])),
      extension(OID.subjectKeyIdentifier, false, new asn1js.OctetString({ valueHex: ski })),
    ],
  });
  await cert.sign(spec.signingKey as PkiCryptoKey, spec.profile.hash, engine);
  return new Uint8Array(cert.toSchema().toBER());
}

/** What every leaf of one CA shares; only the serial, validity and name change from one leaf to the next. */
export interface LeafTemplateSpec {
  /** The CA certificate, DER: its subject becomes each leaf's issuer, byte for byte. */
  readonly caDer: Uint8Array;
  readonly caSigningKey: webcrypto.CryptoKey;
  readonly caProfile: KeyProfile;
  /** The one public key every leaf carries (its private half goes into each TLS context). */
  readonly leafSpki: Uint8Array;
  readonly leafIsRsa: boolean;
}

/**
 * Mints leaves for one CA. The parts that never change (issuer, public key, fixed extensions) are built
 * once, so a leaf costs one small DER encoding and one signature.
 */
export class LeafTemplate {
  private readonly issuer: pkijs.RelativeDistinguishedNames;
  private readonly publicKey: pkijs.PublicKeyInfo;
  private readonly fixedExtensions: pkijs.Extension[];

  constructor(private readonly spec: LeafTemplateSpec) {
    const ca = parseCertificate(spec.caDer);
    this.issuer = ca.subject;
    this.publicKey = pkijs.PublicKeyInfo.fromBER(spec.leafSpki);
    const caKeyId = subjectKeyIdentifierOf(ca) ?? keyIdentifier(new Uint8Array(ca.subjectPublicKeyInfo.toSchema().toBER()));
    this.fixedExtensions = [
      extension(OID.basicConstraints, true, new pkijs.BasicConstraints({ cA: false }).toSchema()),
      extension(
        OID.keyUsage,
        true,
        keyUsage(spec.leafIsRsa ? [KeyUsageBit.digitalSignature, KeyUsageBit.keyEncipherment] : [KeyUsageBit.digitalSignature]),
      ),
      extension(OID.extKeyUsage, false, new pkijs.ExtKeyUsage({ keyPurposes: [OID.serverAuth] }).toSchema()),
      extension(
        OID.authorityKeyIdentifier,
        false,
        new pkijs.AuthorityKeyIdentifier({ keyIdentifier: new asn1js.OctetString({ valueHex: caKeyId }) }).toSchema(),
      ),
      extension(OID.subjectKeyIdentifier, false, new asn1js.OctetString({ valueHex: keyIdentifier(spec.leafSpki) })),
    ];
  }

  /** A leaf for one name or address, DER, with its serial number as hex. */
  async mint(subject: LeafSubject, notBefore: Date, notAfter: Date): Promise<{ der: Uint8Array; serial: string }> {
    const serialNumber = randomSerial();
    const altName =
      subject.kind === 'dns'
        ? new pkijs.GeneralName({ type: 2, value: subject.name })
        : new pkijs.GeneralName({ type: 7, value: new asn1js.OctetString({ valueHex: subject.bytes }) });
    // Clients match the SAN. A DNS name is also the CN, for older tools, when it fits (64 characters); an
    // address is not, so that nothing matches it as a host name through the CN fallback.
    const cert = new pkijs.Certificate({
      version: 2,
      serialNumber,
      issuer: this.issuer,
      subject: distinguishedName(
        subject.kind === 'dns' && subject.name.length <= 64
          ? [
              [OID.organization, 'wsdiag'],
              [OID.commonName, subject.name],
            ]
          : [[OID.organization, 'wsdiag']],
      ),
      notBefore: certificateTime(notBefore),
      notAfter: certificateTime(notAfter),
      subjectPublicKeyInfo: this.publicKey,
      extensions: [...this.fixedExtensions, extension(OID.subjectAltName, false, new pkijs.AltName({ altNames: [altName] }).toSchema())],
    });
    await cert.sign(this.spec.caSigningKey as PkiCryptoKey, this.spec.caProfile.hash, engine);
    return { der: new Uint8Array(cert.toSchema().toBER()), serial: Buffer.from(serialNumber.valueBlock.valueHexView).toString('hex') };
  }
}

/** PEM text for DER bytes: base64 in lines of 64 characters between BEGIN/END lines (RFC 7468). */
export function derToPem(label: string, der: Uint8Array): string {
  const base64 = Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString('base64');
  return `-----BEGIN ${label}-----\n${base64.replace(/.{64}(?=.)/g, '$&\n')}\n-----END ${label}-----\n`;
}

/** Parses a certificate's DER with pkijs, or throws CaConfigError. */
export function parseCertificate(der: Uint8Array): pkijs.Certificate {
  try {
    return pkijs.Certificate.fromBER(der);
  } catch (err) {
    throw new CaConfigError('the CA certificate cannot be parsed', { cause: err });
  }
}

function subjectKeyIdentifierOf(cert: pkijs.Certificate): Uint8Array | null {
  const ext = cert.extensions?.find((e) => e.extnID === OID.subjectKeyIdentifier);
  if (ext === undefined) return null;
  const parsed = asn1js.fromBER(ext.extnValue.valueBlock.valueHexView);
  return parsed.result instanceof asn1js.OctetString ? new Uint8Array(parsed.result.valueBlock.valueHexView) : null;
}

/** 16 random bytes as a positive DER INTEGER whose first byte is never zero (so the encoding is minimal). */
function randomSerial(): asn1js.Integer {
  const bytes = randomBytes(16);
  bytes[0] = ((bytes[0] ?? 1) & 0x7f) | 0x01;
  return new asn1js.Integer({ valueHex: bytes });
}

/** UTCTime up to 2049, GeneralizedTime from 2050 (RFC 5280 §4.1.2.5). */
function certificateTime(date: Date): pkijs.Time {
  return new pkijs.Time({ type: date.getUTCFullYear() < 2050 ? 0 : 1, value: date });
}

/**
 * A Name with one attribute per RDN (pkijs, given several, would put them all in one multi-valued RDN,
 * which tools show as "O=… + CN=…"), kept as these exact bytes when the certificate is encoded.
 */
function distinguishedName(attributes: ReadonlyArray<readonly [string, string]>): pkijs.RelativeDistinguishedNames {
  const rdns = attributes.map(
    ([type, value]) =>
      new asn1js.Set({ value: [new pkijs.AttributeTypeAndValue({ type, value: new asn1js.Utf8String({ value }) }).toSchema()] }),
  );
  return pkijs.RelativeDistinguishedNames.fromBER(new asn1js.Sequence({ value: rdns }).toBER());
}

function extension(extnID: string, critical: boolean, value: asn1js.BaseBlock): pkijs.Extension {
  return new pkijs.Extension({ extnID, critical, extnValue: value.toBER() });
}

/** A keyUsage BIT STRING with the given bits set, without trailing zero bits (DER). */
function keyUsage(bits: readonly number[]): asn1js.BitString {
  const highest = Math.max(...bits);
  const bytes = new Uint8Array((highest >> 3) + 1);
  for (const bit of bits) bytes[bit >> 3] = (bytes[bit >> 3] ?? 0) | (0x80 >> (bit & 7));
  return new asn1js.BitString({ valueHex: bytes, unusedBits: 7 - (highest & 7) });
}
