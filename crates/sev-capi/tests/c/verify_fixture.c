/*
 * Written only from the installed sev.h: verifies a real Genoa report (fixtures/snp) against
 * the built-in AMD roots, rejects a tampered copy, applies JSON policies, checks NULL and
 * length handling, and computes a launch digest published by sev-snp-measure.
 *
 * usage: verify_fixture REPORT.bin VCEK.der OVMF_AmdSev_suffix.bin
 */
#include "test_common.h"

/* MEASUREMENT is at offset 0x90 of an SNP report (48 bytes). */
#define MEASUREMENT_OFFSET 0x90

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: %s REPORT VCEK OVMF\n", argv[0]);
        return 2;
    }
    size_t report_len, vek_len, ovmf_len;
    uint8_t *report = read_file(argv[1], &report_len);
    uint8_t *vek = read_file(argv[2], &vek_len);
    uint8_t *ovmf = read_file(argv[3], &ovmf_len);
    char reason[512];

    /* MAJOR.MINOR.PATCH */
    unsigned major, minor, patch;
    char rest;
    CHECK(sscanf(sev_version(), "%u.%u.%u%c", &major, &minor, &patch, &rest) == 3);
    printf("libsev %s\n", sev_version());
    CHECK(strcmp(sev_strerror(SEV_OK), "success") == 0);
    CHECK(strcmp(sev_strerror(12345), "unknown error code") == 0);

    /* The genuine report verifies; the reason is emptied. */
    strcpy(reason, "stale");
    CHECK_CODE(sev_snp_verify_report(report, report_len, vek, vek_len, NULL, reason, sizeof reason), SEV_OK);
    CHECK(reason[0] == '\0');
    /* reason may be NULL, 0. */
    CHECK_CODE(sev_snp_verify_report(report, report_len, vek, vek_len, NULL, NULL, 0), SEV_OK);

    /* One bit of MEASUREMENT flipped: the signature no longer verifies. */
    uint8_t *tampered = malloc(report_len);
    memcpy(tampered, report, report_len);
    tampered[MEASUREMENT_OFFSET] ^= 0x80;
    CHECK_CODE(sev_snp_verify_report(tampered, report_len, vek, vek_len, NULL, reason, sizeof reason),
               SEV_ERR_SIGNATURE);
    CHECK(strlen(reason) > 0);
    printf("tampered report refused: %s\n", reason);

    /* A policy pinning the report's own measurement passes; another measurement fails. */
    char hex[97];
    to_hex(report + MEASUREMENT_OFFSET, 48, hex);
    char policy[256];
    snprintf(policy, sizeof policy, "{\"measurements\": [\"%s\"]}", hex);
    CHECK_CODE(sev_snp_verify_report(report, report_len, vek, vek_len, policy, reason, sizeof reason), SEV_OK);
    hex[0] = hex[0] == '0' ? '1' : '0';
    snprintf(policy, sizeof policy, "{\"measurements\": [\"%s\"]}", hex);
    CHECK_CODE(sev_snp_verify_report(report, report_len, vek, vek_len, policy, reason, sizeof reason),
               SEV_ERR_POLICY);
    CHECK(strstr(reason, "MEASUREMENT") != NULL);
    printf("policy violation: %s\n", reason);
    /* A tampered report fails on the signature before any policy. */
    CHECK_CODE(sev_snp_verify_report(tampered, report_len, vek, vek_len, policy, reason, sizeof reason),
               SEV_ERR_SIGNATURE);

    /* A reason buffer too small is cut and still NUL-terminated. */
    char small[8];
    memset(small, 'x', sizeof small);
    CHECK_CODE(sev_snp_verify_report(report, report_len, vek, vek_len, policy, small, sizeof small),
               SEV_ERR_POLICY);
    CHECK(small[7] == '\0' && strlen(small) == 7);

    /* Unusable input. */
    CHECK_CODE(sev_snp_verify_report(report, report_len, vek, vek_len, "{not json", reason, sizeof reason),
               SEV_ERR_INVALID);
    CHECK_CODE(sev_snp_verify_report(report, report_len, vek, vek_len, "{\"no_such_rule\": 1}", NULL, 0),
               SEV_ERR_INVALID);
    CHECK_CODE(sev_snp_verify_report(NULL, report_len, vek, vek_len, NULL, reason, sizeof reason),
               SEV_ERR_NULL_POINTER);
    CHECK_CODE(sev_snp_verify_report(report, report_len, NULL, 0, NULL, reason, sizeof reason),
               SEV_ERR_NULL_POINTER);
    CHECK_CODE(sev_snp_verify_report(report, 100, vek, vek_len, NULL, reason, sizeof reason), SEV_ERR_INVALID);
    CHECK_CODE(sev_snp_verify_report(report, report_len, vek, vek_len / 2, NULL, reason, sizeof reason),
               SEV_ERR_SIGNATURE);
    CHECK_CODE(sev_snp_verify_extended_report(report, report_len, NULL, 0, NULL, 0, NULL, NULL, 0),
               SEV_ERR_NULL_POINTER);

    /* Launch digest: sev-snp-measure's vector snp-full-snp-only
     * (fixtures/measurement/snp-measure-vectors.tsv): 1 vCPU EPYC-v4, features 0x1, empty
     * kernel and initrd, append "console=ttyS0 loglevel=7". */
    const char *expected =
        "6d287813eb5222d770f75005c664e34c204f385ce832cc2ce7d0d6f354454362"
        "f390ef83a92046c042e706363b4b08fa";
    uint8_t digest[SEV_SNP_DIGEST_SIZE];
    size_t written = 0;
    static const uint8_t empty[1];
    CHECK_CODE(sev_launch_digest(SEV_MODE_SNP, ovmf, ovmf_len, 1, 0x800f12, 0x1, empty, 0, empty, 0,
                                 "console=ttyS0 loglevel=7", digest, sizeof digest, &written),
               SEV_OK);
    CHECK(written == SEV_SNP_DIGEST_SIZE);
    char digest_hex[97];
    to_hex(digest, sizeof digest, digest_hex);
    CHECK(strcmp(digest_hex, expected) == 0);
    /* Too small a buffer says how much is needed. */
    written = 0;
    CHECK_CODE(sev_launch_digest(SEV_MODE_SNP, ovmf, ovmf_len, 1, 0x800f12, 0x1, NULL, 0, NULL, 0, NULL, digest,
                                 32, &written),
               SEV_ERR_BUFFER_TOO_SMALL);
    CHECK(written == SEV_SNP_DIGEST_SIZE);
    CHECK_CODE(sev_launch_digest(7, ovmf, ovmf_len, 1, 0, 0x1, NULL, 0, NULL, 0, NULL, digest, sizeof digest, NULL),
               SEV_ERR_INVALID);
    CHECK_CODE(sev_launch_digest(SEV_MODE_SNP, NULL, 0, 1, 0, 0x1, NULL, 0, NULL, 0, NULL, digest, sizeof digest,
                                 NULL),
               SEV_ERR_NULL_POINTER);
    CHECK_CODE(sev_launch_digest(SEV_MODE_SNP, ovmf, ovmf_len, 1, 0, 0x1, NULL, 5, NULL, 0, NULL, digest,
                                 sizeof digest, NULL),
               SEV_ERR_NULL_POINTER);

    free(tampered);
    free(report);
    free(vek);
    free(ovmf);
    if (failures) {
        fprintf(stderr, "verify_fixture: %d checks failed\n", failures);
        return 1;
    }
    printf("verify_fixture: all checks passed\n");
    return 0;
}
