//! A guest agent and its relying party, end to end, against the simulated secure processor.
//!
//! The relying party sends a nonce; the agent asks for an extended report carrying it; the
//! relying party verifies the evidence under the simulator's test root and a policy that demands
//! the nonce and the expected measurement — and shows the same evidence refused under AMD's
//! built-in roots. Run with `cargo run -p snp-guest --example guest_agent`.

use sev_sim::{GuestConfig, Sim};
use sev_types::Product;
use sev_verify::policy::Policy;
use sev_verify::snp::{TrustStore, Verifier};
use snp_guest::{EvidenceSource, GuestClient, Provider};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Relying party: a fresh nonce.
    let nonce: [u8; 64] = core::array::from_fn(|i| (i as u8).wrapping_mul(37) ^ 0x5c);

    // Guest agent: the same code as on a real guest, with the simulator behind the seam.
    let mut config = GuestConfig::new(Product::Genoa);
    config.measurement = [0x42; 48];
    let sim = Sim::new(config)?;
    let test_ark = sim.pki().ark().to_vec();
    let mut agent = GuestClient::new(sim).with_provider(Provider::Other("sev-sim".into()));
    let evidence = agent.evidence(&nonce, 0)?;
    println!(
        "agent: {} report bytes and a {}-byte certificate table from {}",
        evidence.report.len(),
        evidence.certs.len(),
        evidence.provider
    );

    // Relying party: verify under the simulator's test root, then appraise.
    let provider = sev_verify::crypto::default_provider();
    let now = sev_sim::pki::TEST_TIME; // inside the fake PKI certificates' validity
    let policy = Policy {
        report_data: Some(nonce),
        measurements: vec![[0x42; 48]],
        ..Policy::default()
    };
    let pinned = Verifier::new(provider, TrustStore::pinned(&provider, &[&test_ark], &[])?);
    let verified = evidence.verify(&pinned, now)?;
    verified
        .appraise(&evidence.parsed_report()?, &policy)
        .map_err(|v| format!("{v:?}"))?;
    println!(
        "relying party: valid under the test root ({} chain, signed by the {}), nonce and measurement match",
        verified.product(),
        verified.signer()
    );

    // The same evidence under AMD's real roots: refused.
    let amd = Verifier::builtin(provider);
    let refused = evidence
        .verify(&amd, now)
        .expect_err("simulated evidence must not verify under AMD's roots");
    println!("relying party: under AMD's built-in roots: refused ({refused})");
    Ok(())
}
