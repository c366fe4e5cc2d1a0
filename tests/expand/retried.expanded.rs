// The expansion of `retried.rs`, checked by a test in gort-metrics-macros.

#[doc = " Fetches one page, retried while the error is transient."]
pub fn fetch_page(client: &Client, request: Request) -> Result<Page, ApiError> {
    let __gort_owned1 = request;
    let mut __gort_slot1 = ::gort_metrics::__private::ArgumentSlot::new(__gort_owned1);
    let __gort_try = &mut | __gort_is_last: ::core::primitive::bool | -> Result<Page, ApiError> {
        #[allow(clippy::shadow_unrelated, clippy::shadow_same, clippy::shadow_reuse)]
        let request = __gort_slot1.for_try(__gort_is_last);
        let response = client.send(request)?;
        if response.status == 429 {
            return Err(ApiError::RateLimited);
        }
        Ok(response.page())
    };
    ::gort_metrics::__private::Retrying::new(::gort_metrics::__private::RetryPolicy::new("fetch-page").attempts(4u32).delay(::core::time::Duration::new(0u64, 50000000u32)).max_delay(::core::time::Duration::new(2u64, 0u32)), ::gort_metrics::__private::now).run_blocking(ApiError::is_transient, | __gort_is_last | __gort_try(__gort_is_last))
}
impl Gateway for DingTalk {
    fn send(&mut self, message: String) -> Result<MessageId, SendError> {
        let __gort_owned0 = message;
        let mut __gort_slot0 = ::gort_metrics::__private::ArgumentSlot::new(__gort_owned0);
        let __gort_try = &mut | __gort_is_last: ::core::primitive::bool | -> Result<MessageId, SendError> {
            #[allow(clippy::shadow_unrelated, clippy::shadow_same, clippy::shadow_reuse)]
            let message = __gort_slot0.for_try(__gort_is_last);
            self.client.post(&self.token, message)
        };
        ::gort_metrics::__private::Retrying::new(::gort_metrics::__private::RetryPolicy::new("send").attempts(3u32), ::gort_metrics::__private::now).run_blocking(::gort_metrics::__private::retry_every_error, | __gort_is_last | __gort_try(__gort_is_last))
    }
    async fn refresh(&self) -> Result<(), SendError> {
        let __gort_try = &mut async | | -> Result<(), SendError> {
            if let::core::option::Option::Some(__gort_declared) = ::core::option::Option::None::<Result<(), SendError>> {
                return __gort_declared;
            }
            self.client.refresh(&self.token).await
        };
        let __gort_sleeper = ::gort_metrics::__private::DefaultSleeper;
        let mut __gort_retry = ::gort_metrics::__private::Retrying::new(::gort_metrics::__private::RetryPolicy::new("refresh-token").delay(::core::time::Duration::new(0u64, 100000000u32)).backoff(::gort_metrics::__private::Backoff::Fixed), || ::gort_metrics::__private::Sleeper::now(&__gort_sleeper));
        loop {
            __gort_retry.start_try();
            let __gort_result = __gort_try().await;
            if let::core::ops::ControlFlow::Break(__gort_result) = __gort_retry.after_try_async(__gort_result, ::gort_metrics::__private::retry_every_error, &__gort_sleeper).await {
                return __gort_result;
            }
        }
    }
}
impl Session {
    #[doc = " Renews the session, recorded under the operation its request names; `self` is an"]
    #[doc = " `Arc`, cloned for each try but the last."]
    fn renew(self: Arc<Self>, request: Renewal) -> Result<Token, SendError> {
        let __gort_operation: ::std::string::String = <::core::primitive::str as::std::borrow::ToOwned> ::to_owned(::core::convert::AsRef::<::core::primitive::str> ::as_ref(&(request.operation)));
        let mut __gort_slot_self = ::gort_metrics::__private::ArgumentSlot::new(self);
        let __gort_owned0 = request;
        let mut __gort_slot0 = ::gort_metrics::__private::ArgumentSlot::new(__gort_owned0);
        let __gort_try = &mut | __gort_is_last: ::core::primitive::bool | -> Result<Token, SendError> {
            let __gort_self = __gort_slot_self.for_try(__gort_is_last);
            #[allow(clippy::shadow_unrelated, clippy::shadow_same, clippy::shadow_reuse)]
            let request = __gort_slot0.for_try(__gort_is_last);
            __gort_self.client.renew(request)
        };
        ::gort_metrics::__private::Retrying::new(::gort_metrics::__private::RetryPolicy::new(__gort_operation).attempts(2u32), ::gort_metrics::__private::now).run_blocking(::gort_metrics::__private::retry_every_error, | __gort_is_last | __gort_try(__gort_is_last))
    }
}
