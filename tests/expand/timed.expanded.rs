// The expansion of `timed.rs`, checked by a test in gort-metrics-macros.

impl AuthMiddleware {
    #[doc = " Checks the bearer token of a request."]
    #[inline]
    pub fn check(&self, token: &str) -> Result<(), AuthError> {
        let __gort_guard = {
            static __GORT_SITE: ::gort_metrics::__private::TimedSite = ::gort_metrics::__private::TimedSite::middleware("auth_middleware");
            __GORT_SITE.start()
        };
        if token.is_empty() {
            return Err(AuthError::Missing);
        }
        self.verify(token)?;
        Ok(())
    }
    #[doc = " Handles one inbound message, timed as message processing."]
    pub async fn handle(&self, message: Message) -> Reply {
        let __gort_guard = {
            static __GORT_SITE: ::gort_metrics::__private::TimedSite = ::gort_metrics::__private::TimedSite::channel("dingtalk");
            __GORT_SITE.start()
        };
        self.next.call(message).await
    }
    #[doc = " Reloads the signing keys; the returned future is what gets timed."]
    pub fn refresh(&self) -> impl Future<Output = ()> + '_ {
        async move {
            let __gort_guard = {
                static __GORT_SITE: ::gort_metrics::__private::TimedSite = ::gort_metrics::__private::TimedSite::middleware("auth_middleware");
                __GORT_SITE.start()
            };
            self.keys.reload().await
        }
    }
    pub fn name(&self) -> &'static str {
        "auth"
    }
}
