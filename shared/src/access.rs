//! Permission checks before changing anything (SelfSubjectAccessReview), so a plan that the user
//! is not allowed to carry out is refused whole instead of failing half-way.

use k8s_openapi::api::authorization::v1::{
    ResourceAttributes, SelfSubjectAccessReview, SelfSubjectAccessReviewSpec,
};
use kube::api::{Api, PostParams};

use crate::kubeargs::Kube;

/// One permission a plan needs.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Permission {
    pub verb: String,
    pub group: String,
    pub resource: String,
    pub subresource: Option<String>,
    pub namespace: Option<String>,
}

impl Permission {
    /// kubectl's wording: `cannot patch resource "persistentvolumeclaims" in API group "" in the namespace "db"`.
    pub fn denied_message(&self) -> String {
        let resource = match &self.subresource {
            Some(sub) => format!("{}/{sub}", self.resource),
            None => self.resource.clone(),
        };
        let scope = match &self.namespace {
            Some(ns) => format!("in the namespace \"{ns}\""),
            None => "at the cluster scope".to_owned(),
        };
        format!(
            "cannot {} resource \"{resource}\" in API group \"{}\" {scope}",
            self.verb, self.group
        )
    }
}

/// `Some(true/false)` when the server answered, `None` when it could not be asked (then the
/// request itself will tell).
pub async fn can_i(kube: &Kube, permission: &Permission) -> Option<bool> {
    let review = SelfSubjectAccessReview {
        spec: SelfSubjectAccessReviewSpec {
            resource_attributes: Some(ResourceAttributes {
                verb: Some(permission.verb.clone()),
                group: Some(permission.group.clone()),
                resource: Some(permission.resource.clone()),
                subresource: permission.subresource.clone(),
                namespace: permission.namespace.clone(),
                ..ResourceAttributes::default()
            }),
            ..SelfSubjectAccessReviewSpec::default()
        },
        ..SelfSubjectAccessReview::default()
    };
    let api: Api<SelfSubjectAccessReview> = Api::all(kube.client.clone());
    let answer = api.create(&PostParams::default(), &review).await.ok()?;
    answer.status.map(|s| s.allowed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_match_kubectl_wording() {
        let p = Permission {
            verb: "update".into(),
            group: String::new(),
            resource: "namespaces".into(),
            subresource: Some("finalize".into()),
            namespace: None,
        };
        assert_eq!(
            p.denied_message(),
            "cannot update resource \"namespaces/finalize\" in API group \"\" at the cluster scope"
        );
    }
}
