//! Reading evidence files in binary, hex or base64 form.
