//! `/dev/sev` platform command buffers: PLATFORM_STATUS, SNP_PLATFORM_STATUS, SNP_SET_CONFIG, GET_ID.
