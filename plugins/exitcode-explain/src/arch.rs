//! What CPU architecture an image reference claims, from its name alone.
//!
//! The API never says which platform an image was built for, and number/pod mode stay offline
//! (no registry calls), so the only hints are conventions in the reference itself: `amd64/nginx`,
//! `app:1.2-arm64`, `…-aarch64`. A name without such a hint is reported as unknown, never guessed.

/// The architecture (Go/Kubernetes spelling: amd64, arm64, arm, ppc64le, s390x, riscv64, 386)
/// an image reference names, if exactly one.
/// Spellings in image names and the architecture they mean.
const HINTS: [(&str, &str); 14] = [
    ("x86_64", "amd64"),
    ("x86-64", "amd64"),
    ("amd64", "amd64"),
    ("aarch64", "arm64"),
    ("arm64v8", "arm64"),
    ("arm64", "arm64"),
    ("arm32v7", "arm"),
    ("arm32v6", "arm"),
    ("armv7", "arm"),
    ("armhf", "arm"),
    ("ppc64le", "ppc64le"),
    ("s390x", "s390x"),
    ("riscv64", "riscv64"),
    ("i386", "386"),
];
pub fn image_arch_hint(image: &str) -> Option<&'static str> {
    // A digest says nothing about the platform in words; drop it.
    let name = image
        .split('@')
        .next()
        .unwrap_or(image)
        .to_ascii_lowercase();
    let mut found: Option<&'static str> = None;
    for token in name.split(['/', ':', '-', '_', '.']) {
        for (spelling, arch) in HINTS {
            if token == spelling {
                match found {
                    Some(other) if other != arch => return None, // contradictory: no hint
                    _ => found = Some(arch),
                }
            }
        }
    }
    // Spellings that the split above cuts in two.
    if found.is_none() && (name.contains("x86_64") || name.contains("x86-64")) {
        found = Some("amd64");
    }
    found
}

/// Normalises a node/arch label value to the Go spelling (`x86_64` → `amd64`).
pub fn normalise(arch: &str) -> String {
    match arch.to_ascii_lowercase().as_str() {
        "x86_64" | "x86-64" => "amd64".into(),
        "aarch64" => "arm64".into(),
        other => other.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_common_conventions() {
        let cases = [
            ("amd64/nginx:1.25", Some("amd64")),
            ("registry.example.com/team/app:1.2-amd64", Some("amd64")),
            ("app:1.2-x86_64", Some("amd64")),
            ("arm64v8/alpine", Some("arm64")),
            ("ghcr.io/x/y:v1-aarch64", Some("arm64")),
            ("nginx:1.25", None),
            ("nginx@sha256:abcd", None),
            ("app:amd64-to-arm64", None),
            ("registry:5000/app:armhf", Some("arm")),
        ];
        for (image, arch) in cases {
            assert_eq!(image_arch_hint(image), arch, "{image}");
        }
        assert_eq!(normalise("x86_64"), "amd64");
        assert_eq!(normalise("arm64"), "arm64");
    }
}
