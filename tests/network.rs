//! Reaching STS where users are: proxies from the environment, a CA bundle for networks that
//! inspect TLS, the SDK's endpoints for every partition and variant, the region checked
//! before anything is sent. Everything runs on 127.0.0.1 (the fronts are in `common::front`).

use crate::common::Test;
use crate::common::front::Front;
use crate::common::sts_stub::{self, Stub};

fn long_term() -> String {
    "[dev-long-term]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n\
     aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n\
     aws_mfa_device = arn:aws:iam::123456789012:mfa/alice\n"
        .into()
}

/// A refresh of `dev` with a code, asking STS at `endpoint`.
fn refresh(endpoint: &str) -> Test {
    Test::new().credentials_file(long_term()).args(&[
        "-p",
        "dev",
        "--token",
        "123456",
        "--endpoint-url",
        endpoint,
    ])
}

fn scratch() -> tempfile::TempDir {
    tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"))
}

#[test]
fn a_socks_proxy_is_a_configuration_error_before_a_code_is_asked_for() {
    let stub = Stub::start(vec![sts_stub::session_answer()]);
    for (var, value) in [
        ("ALL_PROXY", "socks5://alice:pw@127.0.0.1:1080"),
        ("https_proxy", "socks5h://127.0.0.1:1080"),
    ] {
        // No code on the command line and no terminal: were the proxy checked after the
        // code, the error would be the missing code.
        Test::new()
            .credentials_file(long_term())
            .args(&["-p", "dev", "--endpoint-url", "https://sts.example.test"])
            .env(var, value)
            .run()
            .code(2)
            .stderr_contains(&format!("error: {var} names the proxy socks5"))
            .stderr_contains("://127.0.0.1:1080, which stsmfa cannot use")
            .stderr_lacks("alice:pw")
            .stderr_contains("hint: set ");
    }
    // NO_PROXY takes the STS host out of the proxy's reach: no error.
    refresh(&stub.url)
        .env("ALL_PROXY", "socks5://127.0.0.1:1080")
        .env("NO_PROXY", "127.0.0.1")
        .run()
        .success();
}

#[test]
fn the_http_proxy_of_the_environment_carries_the_call_and_no_proxy_bypasses_it() {
    for var in ["HTTP_PROXY", "http_proxy", "ALL_PROXY"] {
        let dir = scratch();
        let stub = Stub::start(vec![sts_stub::session_answer()]);
        let proxy = Front::proxy(dir.path());
        refresh(&stub.url)
            .env(var, &proxy.url("http"))
            .run()
            .success();
        assert_eq!(
            proxy.requests(),
            vec![format!("POST {}/", stub.url)],
            "{var}"
        );
        assert_eq!(stub.requests().len(), 1, "{var}");
    }
    for var in ["NO_PROXY", "no_proxy"] {
        let dir = scratch();
        let stub = Stub::start(vec![sts_stub::session_answer()]);
        let proxy = Front::proxy(dir.path());
        refresh(&stub.url)
            .env("HTTP_PROXY", &proxy.url("http"))
            .env(var, "127.0.0.1")
            .run()
            .success();
        assert!(proxy.requests().is_empty(), "{var}: {:?}", proxy.requests());
        assert_eq!(stub.requests().len(), 1, "{var}");
    }
}

#[test]
fn a_proxy_that_is_down_is_named_without_its_password() {
    let stub = Stub::start(vec![sts_stub::session_answer()]);
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or(9);
    refresh(&stub.url)
        .env(
            "HTTP_PROXY",
            &format!("http://alice:hunter2@127.0.0.1:{port}"),
        )
        .env("AWS_MAX_ATTEMPTS", "1")
        .run()
        .code(5)
        .stderr_contains(&format!(
            "error: could not reach STS at {}: through the proxy http://127.0.0.1:{port}: \
             Connection refused",
            stub.url
        ))
        .stderr_lacks("hunter2")
        .expect_credentials(long_term());
    assert!(stub.requests().is_empty());
}

#[test]
fn https_goes_through_the_proxy_tunnel_and_trusts_the_ca_bundle() {
    let dir = scratch();
    let stub = Stub::start(vec![sts_stub::session_answer()]);
    let (tls, ca) = Front::tls(dir.path(), stub.port());
    let proxy = Front::proxy(dir.path());
    refresh(&tls.url("https"))
        .env("HTTPS_PROXY", &proxy.url("http"))
        .env("AWS_CA_BUNDLE", &ca.display().to_string())
        .run()
        .success();
    assert_eq!(
        proxy.requests(),
        vec![format!("CONNECT 127.0.0.1:{}", tls.port)]
    );
    assert_eq!(stub.requests().len(), 1);
}

#[test]
fn a_ca_bundle_comes_from_the_flag_the_variable_or_the_config_and_replaces_the_system_roots() {
    let dir = scratch();
    let stub = Stub::start(vec![sts_stub::session_answer()]);
    let (tls, ca) = Front::tls(dir.path(), stub.port());
    let ca = ca.display().to_string();
    let url = tls.url("https");
    refresh(&url).args(&["--ca-bundle", &ca]).run().success();
    refresh(&url).env("AWS_CA_BUNDLE", &ca).run().success();
    refresh(&url)
        .file(".aws/config", format!("[profile dev]\nca_bundle = {ca}\n"))
        .args(&["-v"])
        .run()
        .success()
        .stderr_contains(&format!(
            "dev: CA bundle {ca} from ca_bundle in [profile dev]"
        ));
    assert_eq!(stub.requests().len(), 3);
    // Without it the private CA is not trusted: the certificate is named, nothing written.
    refresh(&url)
        .env("AWS_MAX_ATTEMPTS", "1")
        .run()
        .code(5)
        .stderr_contains(&format!("error: could not reach STS at {url}: "))
        .stderr_contains("certificate")
        .expect_credentials(long_term());
    // A bundle replaces the system's roots (as in the AWS CLI): the system's own bundle does
    // not vouch for the private CA.
    if std::path::Path::new("/etc/ssl/certs/ca-certificates.crt").exists() {
        refresh(&url)
            .env("AWS_CA_BUNDLE", "/etc/ssl/certs/ca-certificates.crt")
            .env("AWS_MAX_ATTEMPTS", "1")
            .run()
            .code(5)
            .stderr_contains("certificate");
    } else {
        println!("skipped: no /etc/ssl/certs/ca-certificates.crt on this machine");
    }
    assert_eq!(stub.requests().len(), 3);
}

#[test]
fn a_ca_bundle_that_cannot_be_used_is_said_before_a_code_is_asked_for() {
    let dir = scratch();
    let stub = Stub::start(vec![sts_stub::session_answer()]);
    let missing = dir.path().join("missing.pem").display().to_string();
    let empty = dir.path().join("empty.pem");
    std::fs::write(&empty, "not a certificate\n").unwrap_or_else(|e| panic!("{e}"));
    let empty = empty.display().to_string();
    for (bundle, why) in [
        (&missing, "cannot be read: No such file or directory"),
        (&empty, "holds no certificate that can be used"),
    ] {
        let t = Test::new().credentials_file(long_term()).args(&[
            "-p",
            "dev",
            "--token-command",
            "touch code-was-asked; echo 123456",
            "--endpoint-url",
            &stub.url,
        ]);
        let home = t.home().to_path_buf();
        t.env("AWS_CA_BUNDLE", bundle)
            .run()
            .code(2)
            .stderr_contains(&format!(
                "error: the CA bundle {bundle} (from AWS_CA_BUNDLE) {why}"
            ))
            .stderr_contains("hint: give a PEM file of the certificate authorities to trust")
            .expect_credentials(long_term());
        assert!(
            !home.join("code-was-asked").exists(),
            "a code was asked for"
        );
    }
    assert!(stub.requests().is_empty());
}

#[test]
fn the_region_is_checked_before_anything_is_sent() {
    let stub = Stub::start(vec![sts_stub::session_answer()]);
    for (args, var) in [
        (vec!["--region", "bogus"], None),
        (vec![], Some(("AWS_REGION", "us-east"))),
    ] {
        let mut t = refresh(&stub.url).args(&args);
        if let Some((k, v)) = var {
            t = t.env(k, v);
        }
        t.run()
            .code(2)
            .stderr_contains("is not valid")
            .stderr_contains("hint: give a region like us-east-1 or eu-central-2")
            .expect_credentials(long_term());
    }
    assert!(stub.requests().is_empty());
}

/// What `-v` says the endpoint is, for a profile that needs a code it cannot get.
fn endpoint_said(region: &str, env: &[(&str, &str)], config: &str) -> String {
    let mut t = Test::new()
        .credentials_file(long_term())
        .file(".aws/config", config)
        .args(&["-p", "dev", "-v", "--no-input", "--region", region]);
    for (k, v) in env {
        t = t.env(k, v);
    }
    let run = t.run();
    run.stderr_text()
        .lines()
        .find(|l| l.contains("STS endpoint") || l.starts_with("error:"))
        .unwrap_or_default()
        .to_owned()
}

#[test]
fn endpoints_for_every_partition_fips_and_dual_stack_are_the_sdks() {
    assert!(
        endpoint_said("us-east-1", &[("AWS_USE_FIPS_ENDPOINT", "TRUE")], "")
            .contains("STS endpoint https://sts-fips.us-east-1.amazonaws.com (the SDK's")
    );
    assert!(
        endpoint_said("cn-north-1", &[], "")
            .contains("STS endpoint https://sts.cn-north-1.amazonaws.com.cn (the SDK's")
    );
    assert!(
        endpoint_said("us-gov-west-1", &[("AWS_USE_FIPS_ENDPOINT", "true")], "").contains(
            // GovCloud's regional STS endpoints are FIPS endpoints already.
            "STS endpoint https://sts.us-gov-west-1.amazonaws.com (the SDK's, for region \
             us-gov-west-1, FIPS from AWS_USE_FIPS_ENDPOINT)"
        )
    );
    assert!(
        endpoint_said(
            "eu-west-1",
            &[],
            "[profile dev]\nuse_dualstack_endpoint = true\n"
        )
        .contains(
            "STS endpoint https://sts.eu-west-1.api.aws (the SDK's, for region eu-west-1, \
                   dual-stack from use_dualstack_endpoint in [profile dev]"
        )
    );
    // A setting that is neither true nor false is refused before anything is sent.
    let stub = Stub::start(vec![sts_stub::session_answer()]);
    Test::new()
        .credentials_file(long_term())
        .args(&[
            "-p",
            "dev",
            "--token",
            "123456",
            "--endpoint-url",
            &stub.url,
        ])
        .env("AWS_USE_FIPS_ENDPOINT", "maybe")
        .run()
        .code(2)
        .stderr_contains("the setting \"maybe\" (from AWS_USE_FIPS_ENDPOINT) is not valid");
    assert!(stub.requests().is_empty());
}

/// A CA bundle set for every profile (AWS_CA_BUNDLE is often set machine-wide) is read once a
/// run, not once a profile: a morning of a base and three chained roles opens it once.
#[test]
fn a_ca_bundle_is_read_once_a_run() {
    let dir = scratch();
    let stub = Stub::sts(std::time::Duration::ZERO);
    let (tls, ca) = Front::tls(dir.path(), stub.port());
    let mut file = long_term();
    for role in ["a", "b", "c"] {
        file.push_str(&format!(
            "\n[{role}-long-term]\nsource_profile = dev\n\
             assume_role = arn:aws:iam::123456789012:role/{role}\n"
        ));
    }
    let t = Test::new().credentials_file(&file);
    let trace = dir.path().join("trace");
    let out = std::process::Command::new("strace")
        .args(["-f", "-qq", "-e", "trace=openat", "-o"])
        .arg(&trace)
        .arg(crate::common::BIN)
        .args([
            "--all",
            "--token",
            "123456",
            "--endpoint-url",
            &tls.url("https"),
        ])
        .env_clear()
        .env("HOME", t.home())
        .env("AWS_CA_BUNDLE", &ca)
        .output()
        .unwrap_or_else(|e| panic!("strace is needed for this test: {e}"));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let opened = std::fs::read_to_string(&trace)
        .unwrap_or_default()
        .lines()
        .filter(|l| l.contains(&ca.display().to_string()))
        .count();
    assert_eq!(opened, 1, "the CA bundle was opened {opened} times");
    assert_eq!(stub.requests().len(), 4);
}
