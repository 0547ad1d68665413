/*
 * Written only from the installed sev.h (with SEV_SIM, for a library built with the `sim`
 * feature): a full SNP launch of an OVMF image on the simulated secure processor, an extended
 * report from the launched guest, verification under the simulator's test root and a policy
 * pinning the predicted launch digest; a hand-driven SNP launch (memory, vCPU, update by page
 * type, finish with HOST_DATA and ID-block checks); derived keys; an SEV-ES launch; and the
 * NULL, length and state errors.
 *
 * usage: sim_launch OVMF_AmdSev_suffix.bin
 */
#define SEV_SIM 1
#include "test_common.h"

/* SNP report offsets (AMD SEV-SNP ABI, ATTESTATION_REPORT). */
#define REPORT_DATA_OFFSET 0x50
#define MEASUREMENT_OFFSET 0x90
#define HOST_DATA_OFFSET 0xC0
#define EPYC_V4 0x00800F12u
#define SNP_POLICY 0x30000u /* SMT allowed, bit 17 (must be one) */
#define SEV_POLICY_ES 0x4u

/* OVMF launched on the simulator; report and certificates from the guest; verified. */
static void ovmf_launch_report_verify(const uint8_t *ovmf, size_t ovmf_len) {
    sev_snp_launcher *l = NULL;
    uint32_t fw = 0xFFFFFFFF;
    CHECK_CODE(sev_snp_launcher_new_sim(&l, 0, 0, &fw), SEV_OK);
    CHECK(l != NULL && fw == 0);

    uint8_t host_data[32];
    memset(host_data, 0x5A, sizeof host_data);
    CHECK_CODE(sev_snp_launcher_launch_ovmf(l, ovmf, ovmf_len, 4, EPYC_V4, NULL, 0, NULL, 0, NULL, SNP_POLICY,
                                            host_data, &fw),
               SEV_OK);
    /* Finished: no second launch. */
    CHECK_CODE(sev_snp_launcher_start(l, SNP_POLICY, NULL, &fw), SEV_ERR_STATE);

    /* The digest predicted independently (sev-measure) for the same launch. */
    uint8_t predicted[SEV_SNP_DIGEST_SIZE];
    CHECK_CODE(sev_launch_digest(SEV_MODE_SNP, ovmf, ovmf_len, 4, EPYC_V4, 0x1, NULL, 0, NULL, 0, NULL, predicted,
                                 sizeof predicted, NULL),
               SEV_OK);

    sev_guest *g = NULL;
    CHECK_CODE(sev_snp_launcher_sim_guest(l, &g), SEV_OK);
    CHECK(g != NULL);
    if (!g) {
        sev_snp_launcher_free(l);
        return;
    }

    uint8_t nonce[SEV_REPORT_DATA_SIZE];
    memset(nonce, 0xC3, sizeof nonce);
    /* First call: sizes only. */
    size_t report_len = 0, certs_len = 0;
    CHECK_CODE(sev_guest_extended_report(g, nonce, 0, NULL, 0, &report_len, NULL, 0, &certs_len, &fw),
               SEV_ERR_NULL_POINTER);
    CHECK(report_len == 0x4A0);
    CHECK(certs_len > 0);
    uint8_t *report = malloc(report_len);
    uint8_t *certs = malloc(certs_len);
    CHECK_CODE(sev_guest_extended_report(g, nonce, 0, report, report_len, &report_len, certs, 16, &certs_len, &fw),
               SEV_ERR_BUFFER_TOO_SMALL);
    CHECK_CODE(sev_guest_extended_report(g, nonce, 0, report, report_len, &report_len, certs, certs_len,
                                         &certs_len, &fw),
               SEV_OK);
    CHECK(memcmp(report + MEASUREMENT_OFFSET, predicted, sizeof predicted) == 0);
    CHECK(memcmp(report + HOST_DATA_OFFSET, host_data, sizeof host_data) == 0);
    CHECK(memcmp(report + REPORT_DATA_OFFSET, nonce, sizeof nonce) == 0);

    /* The simulator's test root, pinned by the relying party. */
    size_t ark_len = 0;
    CHECK_CODE(sev_guest_sim_ark(g, NULL, 0, &ark_len), SEV_ERR_NULL_POINTER);
    uint8_t *ark = malloc(ark_len);
    CHECK_CODE(sev_guest_sim_ark(g, ark, ark_len, &ark_len), SEV_OK);

    char mhex[97], nhex[129], hhex[65], policy[512], reason[512];
    to_hex(predicted, sizeof predicted, mhex);
    to_hex(nonce, sizeof nonce, nhex);
    to_hex(host_data, sizeof host_data, hhex);
    snprintf(policy, sizeof policy, "{\"measurements\": [\"%s\"], \"report_data\": \"%s\", \"host_data\": \"%s\"}",
             mhex, nhex, hhex);
    CHECK_CODE(sev_snp_verify_extended_report(report, report_len, certs, certs_len, ark, ark_len, policy, reason,
                                              sizeof reason),
               SEV_OK);
    if (reason[0])
        fprintf(stderr, "reason: %s\n", reason);

    /* Another measurement: a policy violation. */
    mhex[95] = mhex[95] == '0' ? '1' : '0';
    snprintf(policy, sizeof policy, "{\"measurements\": [\"%s\"]}", mhex);
    CHECK_CODE(sev_snp_verify_extended_report(report, report_len, certs, certs_len, ark, ark_len, policy, reason,
                                              sizeof reason),
               SEV_ERR_POLICY);
    CHECK(strstr(reason, "MEASUREMENT") != NULL);

    /* The test root is not AMD's: the built-in roots refuse the chain. */
    int builtin = sev_snp_verify_extended_report(report, report_len, certs, certs_len, NULL, 0, NULL, reason,
                                                 sizeof reason);
    CHECK(builtin == SEV_ERR_SIGNATURE);
    printf("simulated report under AMD's roots: %s (%s)\n", sev_strerror(builtin), reason);

    /* A tampered report. */
    report[MEASUREMENT_OFFSET] ^= 1;
    CHECK_CODE(sev_snp_verify_extended_report(report, report_len, certs, certs_len, ark, ark_len, NULL, reason,
                                              sizeof reason),
               SEV_ERR_SIGNATURE);

    /* A plain report. */
    size_t written = 0;
    CHECK_CODE(sev_guest_report(g, nonce, 0, report, report_len, &written, &fw), SEV_OK);
    CHECK(written == 0x4A0);
    CHECK_CODE(sev_guest_report(g, NULL, 0, report, report_len, &written, &fw), SEV_ERR_NULL_POINTER);
    CHECK_CODE(sev_guest_report(NULL, nonce, 0, report, report_len, &written, &fw), SEV_ERR_NULL_POINTER);
    CHECK_CODE(sev_guest_report(g, nonce, 0, report, 100, &written, &fw), SEV_ERR_BUFFER_TOO_SMALL);

    /* Derived keys: deterministic for the same request, different when MEASUREMENT is mixed in. */
    uint8_t k1[SEV_DERIVED_KEY_SIZE], k2[SEV_DERIVED_KEY_SIZE], k3[SEV_DERIVED_KEY_SIZE];
    static const uint8_t zero_key[SEV_DERIVED_KEY_SIZE];
    CHECK_CODE(sev_guest_derived_key(g, 0, 0, 0, 0, 0, k1, &fw), SEV_OK);
    CHECK_CODE(sev_guest_derived_key(g, 0, 0, 0, 0, 0, k2, &fw), SEV_OK);
    CHECK_CODE(sev_guest_derived_key(g, 0, 1u << 3, 0, 0, 0, k3, &fw), SEV_OK);
    CHECK(memcmp(k1, k2, sizeof k1) == 0);
    CHECK(memcmp(k1, k3, sizeof k1) != 0);
    CHECK(memcmp(k1, zero_key, sizeof k1) != 0);
    CHECK_CODE(sev_guest_derived_key(g, 2, 0, 0, 0, 0, k1, &fw), SEV_ERR_INVALID);
    CHECK_CODE(sev_guest_derived_key(g, 0, 0, 0, 0, 0, NULL, &fw), SEV_ERR_NULL_POINTER);

    free(ark);
    free(certs);
    free(report);
    sev_guest_free(g);
    sev_snp_launcher_free(l);
}

/* The launch driven call by call: memory, vCPU, start, updates by page type, finish. */
static void snp_launch_by_hand(void) {
    uint32_t fw = 0;
    sev_snp_launcher *l = NULL;
    CHECK_CODE(sev_snp_launcher_new_sim(NULL, 0, 0, &fw), SEV_ERR_NULL_POINTER);
    CHECK_CODE(sev_snp_launcher_new_sim(&l, 0, 0, &fw), SEV_OK);

    /* Out of order: no update or finish before start. */
    uint8_t page[0x2000];
    memset(page, 0x90, sizeof page);
    CHECK_CODE(sev_snp_launcher_update(l, 0x1000, SEV_SNP_PAGE_NORMAL, page, sizeof page, &fw), SEV_ERR_STATE);
    CHECK_CODE(sev_snp_launcher_finish(l, NULL, 0, NULL, 0, 0, NULL, &fw), SEV_ERR_STATE);

    CHECK_CODE(sev_snp_launcher_add_memory(l, 0, 0x100000, &fw), SEV_OK);
    uint8_t vmsa[SEV_VMSA_SIZE];
    CHECK_CODE(sev_vmsa_build(SEV_VMSA_BSP_EIP, EPYC_V4, 0x1, vmsa), SEV_OK);
    CHECK_CODE(sev_vmsa_build(SEV_VMSA_BSP_EIP, EPYC_V4, 0x1, NULL), SEV_ERR_NULL_POINTER);
    CHECK_CODE(sev_snp_launcher_add_vcpu(l, 0, vmsa, sizeof vmsa - 1, &fw), SEV_ERR_LENGTH);
    CHECK_CODE(sev_snp_launcher_add_vcpu(l, 0, NULL, sizeof vmsa, &fw), SEV_ERR_NULL_POINTER);
    CHECK_CODE(sev_snp_launcher_add_vcpu(l, 0, vmsa, sizeof vmsa, &fw), SEV_OK);
    CHECK_CODE(sev_snp_launcher_start(l, SNP_POLICY, NULL, &fw), SEV_OK);
    CHECK_CODE(sev_snp_launcher_add_memory(l, 0x200000, 0x1000, &fw), SEV_ERR_STATE);

    CHECK_CODE(sev_snp_launcher_update(l, 0x1000, SEV_SNP_PAGE_NORMAL, page, sizeof page, &fw), SEV_OK);
    CHECK_CODE(sev_snp_launcher_update(l, 0x3000, SEV_SNP_PAGE_ZERO, NULL, 0x1000, &fw), SEV_OK);
    CHECK_CODE(sev_snp_launcher_update(l, 0x4000, SEV_SNP_PAGE_SECRETS, NULL, 0x1000, &fw), SEV_OK);
    CHECK_CODE(sev_snp_launcher_update(l, 0x5000, SEV_SNP_PAGE_NORMAL, NULL, 0x1000, &fw), SEV_ERR_NULL_POINTER);
    CHECK_CODE(sev_snp_launcher_update(l, 0x5000, 2 /* VMSA: not a KVM page type */, page, 0x1000, &fw),
               SEV_ERR_INVALID);
    CHECK_CODE(sev_snp_launcher_update(l, 0x200000, SEV_SNP_PAGE_NORMAL, page, 0x1000, &fw), SEV_ERR_INVALID);

    /* ID block checks before anything reaches the firmware (the launch goes on). */
    static uint8_t id_block[SEV_SNP_ID_BLOCK_SIZE], id_auth[SEV_SNP_ID_AUTH_SIZE];
    CHECK_CODE(sev_snp_launcher_finish(l, id_block, 95, id_auth, sizeof id_auth, 0, NULL, &fw), SEV_ERR_LENGTH);
    CHECK_CODE(sev_snp_launcher_finish(l, id_block, sizeof id_block, NULL, 0, 0, NULL, &fw), SEV_ERR_INVALID);
    CHECK_CODE(sev_snp_launcher_finish(l, NULL, 0, NULL, 0, 1, NULL, &fw), SEV_ERR_INVALID);

    uint8_t host_data[32];
    for (int i = 0; i < 32; i++)
        host_data[i] = (uint8_t)i;
    CHECK_CODE(sev_snp_launcher_finish(l, NULL, 0, NULL, 0, 0, host_data, &fw), SEV_OK);
    CHECK(fw == 0);
    CHECK_CODE(sev_snp_launcher_finish(l, NULL, 0, NULL, 0, 0, host_data, &fw), SEV_ERR_STATE);

    sev_guest *g = NULL;
    CHECK_CODE(sev_snp_launcher_sim_guest(l, &g), SEV_OK);
    uint8_t report[0x4A0], nonce[SEV_REPORT_DATA_SIZE] = {1, 2, 3};
    size_t written = 0;
    CHECK_CODE(sev_guest_report(g, nonce, 0, report, sizeof report, &written, &fw), SEV_OK);
    CHECK(memcmp(report + HOST_DATA_OFFSET, host_data, sizeof host_data) == 0);
    sev_guest_free(g);
    sev_snp_launcher_free(l);

    /* An ID block the firmware refuses (all zero: no valid signature): the firmware status
     * reaches fw_error, and the launch is over. */
    l = NULL;
    CHECK_CODE(sev_snp_launcher_new_sim(&l, 0, 0, &fw), SEV_OK);
    CHECK_CODE(sev_snp_launcher_add_memory(l, 0, 0x10000, &fw), SEV_OK);
    CHECK_CODE(sev_snp_launcher_add_vcpu(l, 0, vmsa, sizeof vmsa, &fw), SEV_OK);
    CHECK_CODE(sev_snp_launcher_start(l, SNP_POLICY, NULL, &fw), SEV_OK);
    int rc = sev_snp_launcher_finish(l, id_block, sizeof id_block, id_auth, sizeof id_auth, 0, NULL, &fw);
    CHECK(rc == SEV_ERR_FIRMWARE);
    CHECK(fw != 0);
    printf("zero ID block refused: %s, firmware status 0x%x\n", sev_strerror(rc), fw);
    CHECK_CODE(sev_snp_launcher_sim_guest(l, &g), SEV_ERR_STATE);
    CHECK(g == NULL);
    sev_snp_launcher_free(l);

    /* A bad policy (bit 17 clear) is refused before LAUNCH_START. */
    CHECK_CODE(sev_snp_launcher_new_sim(&l, 0, 0, &fw), SEV_OK);
    CHECK_CODE(sev_snp_launcher_start(l, 0, NULL, &fw), SEV_ERR_INVALID);
    CHECK_CODE(sev_snp_launcher_start(l, SNP_POLICY, NULL, &fw), SEV_ERR_STATE);
    sev_snp_launcher_free(l);

    /* NULL handles. */
    CHECK_CODE(sev_snp_launcher_add_memory(NULL, 0, 0x1000, &fw), SEV_ERR_NULL_POINTER);
    CHECK_CODE(sev_snp_launcher_start(NULL, SNP_POLICY, NULL, NULL), SEV_ERR_NULL_POINTER);
    sev_snp_launcher_free(NULL);
    sev_guest_free(NULL);
}

/* SEV-ES: start without an owner, update data and VMSAs, measure, report, finish. */
static void seves_launch(void) {
    uint32_t fw = 0;
    sev_launcher *l = NULL;
    CHECK_CODE(sev_launcher_new_sim(&l, 1, &fw), SEV_OK);
    CHECK_CODE(sev_launcher_add_memory(l, 0, 0x10000, &fw), SEV_OK);
    uint8_t vmsa[SEV_VMSA_SIZE];
    CHECK_CODE(sev_vmsa_build(SEV_VMSA_BSP_EIP, EPYC_V4, 0, vmsa), SEV_OK);
    CHECK_CODE(sev_launcher_add_vcpu(l, 0, vmsa, sizeof vmsa, &fw), SEV_OK);
    CHECK_CODE(sev_launcher_update_data(l, 0x1000, vmsa, 16, &fw), SEV_ERR_STATE);
    /* The ES bit must match the VM; a PDH without a session is refused. */
    CHECK_CODE(sev_launcher_start(l, 0, NULL, 0, NULL, 0, &fw), SEV_ERR_INVALID);
    CHECK_CODE(sev_launcher_measure(l, vmsa, &fw), SEV_ERR_STATE);
    sev_launcher_free(l);
    CHECK_CODE(sev_launcher_new_sim(&l, 1, &fw), SEV_OK);
    CHECK_CODE(sev_launcher_add_memory(l, 0, 0x10000, &fw), SEV_OK);
    CHECK_CODE(sev_launcher_add_vcpu(l, 0, vmsa, sizeof vmsa, &fw), SEV_OK);
    CHECK_CODE(sev_launcher_start(l, SEV_POLICY_ES, vmsa, 0x824, NULL, 0, &fw), SEV_ERR_INVALID);
    sev_launcher_free(l);

    CHECK_CODE(sev_launcher_new_sim(&l, 1, &fw), SEV_OK);
    CHECK_CODE(sev_launcher_add_memory(l, 0, 0x10000, &fw), SEV_OK);
    CHECK_CODE(sev_launcher_add_vcpu(l, 0, vmsa, sizeof vmsa, &fw), SEV_OK);
    CHECK_CODE(sev_launcher_start(l, SEV_POLICY_ES, NULL, 0, NULL, 0, &fw), SEV_OK);
    uint8_t data[0x1000];
    memset(data, 0xAB, sizeof data);
    CHECK_CODE(sev_launcher_update_data(l, 0x1000, data, sizeof data, &fw), SEV_OK);
    CHECK_CODE(sev_launcher_update_data(l, 0x1001, data, 16, &fw), SEV_ERR_INVALID);
    CHECK_CODE(sev_launcher_update_vmsa(l, &fw), SEV_OK);
    uint8_t header[SEV_LAUNCH_SECRET_HEADER_SIZE] = {0};
    CHECK_CODE(sev_launcher_inject_secret(l, 0x2000, header, sizeof header, data, 16, &fw), SEV_ERR_STATE);
    uint8_t measurement[SEV_LAUNCH_MEASUREMENT_SIZE] = {0};
    static const uint8_t zero48[SEV_LAUNCH_MEASUREMENT_SIZE];
    CHECK_CODE(sev_launcher_measure(l, NULL, &fw), SEV_ERR_NULL_POINTER);
    CHECK_CODE(sev_launcher_measure(l, measurement, &fw), SEV_OK);
    CHECK(memcmp(measurement, zero48, sizeof measurement) != 0);
    CHECK_CODE(sev_launcher_inject_secret(l, 0x2000, header, sizeof header - 1, data, 16, &fw), SEV_ERR_LENGTH);
    uint8_t mnonce[16] = {9};
    size_t written = 0;
    CHECK_CODE(sev_launcher_attestation_report(l, mnonce, NULL, 0, &written, &fw), SEV_ERR_NULL_POINTER);
    CHECK(written > 0);
    uint8_t *att = malloc(written);
    CHECK_CODE(sev_launcher_attestation_report(l, mnonce, att, written, &written, &fw), SEV_OK);
    CHECK_CODE(sev_launcher_finish(l, &fw), SEV_OK);
    CHECK_CODE(sev_launcher_finish(l, &fw), SEV_ERR_STATE);
    CHECK_CODE(sev_launcher_attestation_report(l, mnonce, att, written, &written, &fw), SEV_OK);
    free(att);
    sev_launcher_free(l);

    /* Plain SEV has no VMSA to update. The platform's PDH (for a guest owner's session; the
     * session itself is tested in tests/sev_owner.rs) is an SEV certificate of 0x824 bytes. */
    CHECK_CODE(sev_launcher_new_sim(&l, 0, &fw), SEV_OK);
    uint8_t pdh[0x824];
    written = 0;
    CHECK_CODE(sev_launcher_sim_pdh(l, pdh, 16, &written), SEV_ERR_BUFFER_TOO_SMALL);
    CHECK(written == sizeof pdh);
    CHECK_CODE(sev_launcher_sim_pdh(l, pdh, sizeof pdh, &written), SEV_OK);
    CHECK_CODE(sev_launcher_sim_pdh(NULL, pdh, sizeof pdh, &written), SEV_ERR_NULL_POINTER);
    CHECK_CODE(sev_launcher_add_memory(l, 0, 0x10000, &fw), SEV_OK);
    CHECK_CODE(sev_launcher_start(l, 0, NULL, 0, NULL, 0, &fw), SEV_OK);
    CHECK_CODE(sev_launcher_update_vmsa(l, &fw), SEV_ERR_INVALID);
    sev_launcher_free(l);
    CHECK_CODE(sev_launcher_finish(NULL, &fw), SEV_ERR_NULL_POINTER);
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s OVMF\n", argv[0]);
        return 2;
    }
    size_t ovmf_len;
    uint8_t *ovmf = read_file(argv[1], &ovmf_len);
    ovmf_launch_report_verify(ovmf, ovmf_len);
    snp_launch_by_hand();
    seves_launch();
    free(ovmf);
    if (failures) {
        fprintf(stderr, "sim_launch: %d checks failed\n", failures);
        return 1;
    }
    printf("sim_launch: all checks passed\n");
    return 0;
}
