// The input of the committed expansion `timed.expanded.rs`: a middleware impl block with every
// kind of method `#[timed]` treats differently.

#[timed]
impl AuthMiddleware {
    /// Checks the bearer token of a request.
    #[inline]
    pub fn check(&self, token: &str) -> Result<(), AuthError> {
        if token.is_empty() {
            return Err(AuthError::Missing);
        }
        self.verify(token)?;
        Ok(())
    }

    /// Handles one inbound message, timed as message processing.
    #[timed(channel = "dingtalk")]
    pub async fn handle(&self, message: Message) -> Reply {
        self.next.call(message).await
    }

    /// Reloads the signing keys; the returned future is what gets timed.
    pub fn refresh(&self) -> impl Future<Output = ()> + '_ {
        async move { self.keys.reload().await }
    }

    #[timed(skip)]
    pub fn name(&self) -> &'static str {
        "auth"
    }
}
