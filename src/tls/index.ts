/**
 * TLS interception's certificate side: the local CA (created on first use, loaded after) and the leaf
 * certificates minted from it per server name. The proxy's CONNECT/interception layer builds on this.
 */
export { CertificateAuthority, spkiSha256, type CaKeyType, type OpenCaOptions } from './ca.js';
export { LeafCertificates, DEFAULT_MAX_LEAVES, type LeafCertificate, type LeafCertificatesOptions, type LeafStats } from './leaf.js';
export { parseLeafSubject, type LeafSubject } from './host.js';
export { CaConfigError, InvalidServerNameError } from './errors.js';
export { CA_CERT_FILE, CA_KEY_FILE, defaultCaDir } from './store.js';
export { describeCa, trustInstructions } from './trust.js';
export { loadCaFile, loadKeyPairFiles, readPemFile } from './pem.js';
