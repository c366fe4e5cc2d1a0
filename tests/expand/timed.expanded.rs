// The expansion of `timed.rs`, checked by a test in gort-metrics-macros.

impl AuthMiddleware {
    #[doc = " Checks the bearer token of a request."]
    #[inline]
    pub fn check(&self, token: &str) -> Result<(), AuthError> {
        let __gort_call = {
            static __GORT_SITE: ::gort_metrics::__private::TimedSite = ::gort_metrics::__private::TimedSite::middleware("auth_middleware");
            __GORT_SITE.call()
        };
        let __gort_once = ::gort_metrics::__private::BodyOnce;
        #[allow(clippy::redundant_closure_call)]
        let __gort_output: Result<(), AuthError> = (move || -> Result<(), AuthError> {
            __gort_once.take();
            if token.is_empty() {
                return Err(AuthError::Missing);
            }
            self.verify(token)?;
            Ok(())
        }
        )();
        ::gort_metrics::__private::FinishCall::finish_call(__gort_call, {
            #[allow(unused_imports)]
            use::gort_metrics::__private::{
                OtherOutcome as _, ResultOutcome as _
            };
            (&__gort_output).__gort_outcome()
        }
        );
        __gort_output
    }
    #[doc = " Handles one inbound message, timed as message processing."]
    pub async fn handle(&self, message: Message) -> Reply {
        let __gort_call = {
            static __GORT_SITE: ::gort_metrics::__private::TimedSite = ::gort_metrics::__private::TimedSite::channel("dingtalk");
            __GORT_SITE.call()
        };
        let __gort_output: Reply = async move {
            if let::core::option::Option::Some(__gort_declared) = ::core::option::Option::None::<Reply> {
                return __gort_declared;
            }
            self.next.call(message).await
        }.await;
        ::gort_metrics::__private::FinishCall::finish_call(__gort_call, {
            #[allow(unused_imports)]
            use::gort_metrics::__private::{
                OtherOutcome as _, ResultOutcome as _
            };
            (&__gort_output).__gort_outcome()
        }
        );
        __gort_output
    }
    #[doc = " Reloads the signing keys; the returned future is what gets timed."]
    pub fn refresh(&self) -> impl Future<Output = ()> + '_ {
        async move {
            let __gort_call = {
                static __GORT_SITE: ::gort_metrics::__private::TimedSite = ::gort_metrics::__private::TimedSite::middleware("auth_middleware");
                __GORT_SITE.call()
            };
            let __gort_output: () = async move {
                if let::core::option::Option::Some(__gort_declared) = ::core::option::Option::None::<()> {
                    return __gort_declared;
                }
                self.keys.reload().await
            }.await;
            ::gort_metrics::__private::FinishCall::finish_call(__gort_call, ::gort_metrics::__private::Outcome::Ok);
            __gort_output
        }
    }
    pub fn name(&self) -> &'static str {
        "auth"
    }
}
