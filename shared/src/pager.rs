//! Paginated lists (`limit`/`continue`), so a 50,000-pod cluster is read a page at a time and a
//! caller that folds pages never holds the whole list.

use kube::api::{Api, ListParams, ObjectList};
use serde::de::DeserializeOwned;

use crate::concurrency::with_retry;
use crate::error::{Error, Result};

/// Objects per page: kubectl's own default chunk size.
pub const PAGE_SIZE: u32 = 500;

/// Calls `each` with every page of the list, in order.
pub async fn for_each_page<K, F>(api: &Api<K>, params: &ListParams, mut each: F) -> Result<()>
where
    K: Clone + DeserializeOwned + std::fmt::Debug,
    F: FnMut(Vec<K>) -> Result<()>,
{
    let mut continue_token: Option<String> = None;
    loop {
        let mut page_params = params.clone();
        if page_params.limit.is_none() {
            page_params.limit = Some(PAGE_SIZE);
        }
        page_params.continue_token.clone_from(&continue_token);
        let page: ObjectList<K> = with_retry(|| async { api.list(&page_params).await.map_err(Error::from) }).await.map_err(|e| {
            if e.status().is_some_and(|s| s.code == 410) {
                Error::Other("the list changed too much while it was being read (410 Gone); run the command again".into())
            } else {
                e
            }
        })?;
        continue_token = page.metadata.continue_.filter(|t| !t.is_empty());
        each(page.items)?;
        if continue_token.is_none() {
            return Ok(());
        }
    }
}

/// The whole list, page by page.
pub async fn list_all<K>(api: &Api<K>, params: &ListParams) -> Result<Vec<K>>
where
    K: Clone + DeserializeOwned + std::fmt::Debug,
{
    let mut all = Vec::new();
    for_each_page(api, params, |page| {
        all.extend(page);
        Ok(())
    })
    .await?;
    Ok(all)
}
