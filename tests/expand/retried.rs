// The input of the committed expansion `retried.expanded.rs`: a free fn with a borrowed and an
// owned argument, the methods of a trait implementation, sync with `&mut self` and async, and a
// method on `Arc<Self>` named by an expression.

/// Fetches one page, retried while the error is transient.
#[retried(op = "fetch-page", attempts = 4, delay = "50ms", max_delay = "2s", when = ApiError::is_transient)]
pub fn fetch_page(client: &Client, request: Request) -> Result<Page, ApiError> {
    let response = client.send(request)?;
    if response.status == 429 {
        return Err(ApiError::RateLimited);
    }
    Ok(response.page())
}

impl Gateway for DingTalk {
    #[retried(op = "send", attempts = 3)]
    fn send(&mut self, message: String) -> Result<MessageId, SendError> {
        self.client.post(&self.token, message)
    }

    #[retried(op = "refresh-token", backoff = "fixed", delay = "100ms")]
    async fn refresh(&self) -> Result<(), SendError> {
        self.client.refresh(&self.token).await
    }
}

impl Session {
    /// Renews the session, recorded under the operation its request names; `self` is an
    /// `Arc`, cloned for each try but the last.
    #[retried(op = request.operation, attempts = 2)]
    fn renew(self: Arc<Self>, request: Renewal) -> Result<Token, SendError> {
        self.client.renew(request)
    }
}
