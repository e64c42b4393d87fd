//! Who is asking: extractors, so a handler that takes [`CustomerAuth`] or
//! [`AdminAuth`] cannot forget to check, and one that takes neither is
//! visibly public.
//!
//! Customers send `Authorization: Bearer <token>`; the token is looked up
//! by its SHA-256 hash. The admin sends the admin token, compared in
//! constant time (hashes of both sides, so the length leaks nothing
//! either).

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use axum::http::StatusCode;
use subtle::ConstantTimeEq;

use crate::accounts::Account;
use crate::errors::ApiError;
use crate::secret::hash_token;
use crate::state::Shared;

/// An authenticated customer.
pub(crate) struct CustomerAuth(pub(crate) Account);

/// The admin.
pub(crate) struct AdminAuth;

/// The bearer token of the request.
fn bearer(parts: &Parts) -> Result<&str, ApiError> {
    let unauthorized =
        |code, message: &str| ApiError::new(StatusCode::UNAUTHORIZED, code, message.to_owned());
    let header = parts.headers.get(AUTHORIZATION).ok_or_else(|| {
        unauthorized(
            "missing_token",
            "this needs `Authorization: Bearer <token>` (sign up at POST /api/signup)",
        )
    })?;
    header
        .to_str()
        .ok()
        .and_then(|value| value.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|token| !token.is_empty())
        .ok_or_else(|| {
            unauthorized(
                "bad_token",
                "the Authorization header must read `Bearer <token>`",
            )
        })
}

impl FromRequestParts<Shared> for CustomerAuth {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Shared,
    ) -> Result<Self, Self::Rejection> {
        let token = bearer(parts)?;
        state
            .accounts
            .authenticate(token)
            .map(CustomerAuth)
            .ok_or_else(|| {
                ApiError::new(
                    StatusCode::UNAUTHORIZED,
                    "bad_token",
                    "the token is unknown or revoked",
                )
            })
    }
}

impl FromRequestParts<Shared> for AdminAuth {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Shared,
    ) -> Result<Self, Self::Rejection> {
        let token = bearer(parts)?;
        if is_admin_token(token, &state.admin_token) {
            Ok(AdminAuth)
        } else {
            Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "not_admin",
                "this needs the admin token",
            ))
        }
    }
}

/// `presented == expected`, in time independent of where they differ.
pub(crate) fn is_admin_token(presented: &str, expected: &str) -> bool {
    hash_token(presented).ct_eq(&hash_token(expected)).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_exact_admin_token_is_admin() {
        assert!(is_admin_token(
            "s3cret-s3cret-s3cret",
            "s3cret-s3cret-s3cret"
        ));
        assert!(!is_admin_token(
            "s3cret-s3cret-s3creT",
            "s3cret-s3cret-s3cret"
        ));
        assert!(!is_admin_token("", "s3cret-s3cret-s3cret"));
    }
}
