//! SEV (pre-SNP) certificate formats: the 2084-byte SEV certificate and AMD's ARK/ASK format.
