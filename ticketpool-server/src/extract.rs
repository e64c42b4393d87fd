//! axum's extractors with their rejections turned into [`ApiError`]s, so a
//! bad body, path or query gets the same JSON error shape as the rest.

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::StatusCode;
use serde::de::DeserializeOwned;

use crate::errors::ApiError;

/// A JSON body; every way it can be wrong is a 4xx naming the problem.
pub(crate) struct ApiJson<T>(pub(crate) T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(value)) => Ok(Self(value)),
            Err(rejection) => Err(json_rejection(&rejection)),
        }
    }
}

fn json_rejection(rejection: &JsonRejection) -> ApiError {
    let text = rejection.body_text();
    match rejection {
        JsonRejection::MissingJsonContentType(_) => ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "wrong_content_type",
            "the body must be JSON, sent with `Content-Type: application/json`",
        ),
        JsonRejection::JsonSyntaxError(_) if text.contains("line 1 column 0") => {
            ApiError::bad_request(
                "missing_body",
                "the request needs a JSON object as its body",
            )
        }
        JsonRejection::JsonSyntaxError(_) => {
            ApiError::bad_request("bad_json", format!("the body is not valid JSON: {text}"))
        }
        JsonRejection::JsonDataError(_) => {
            let code = if text.contains("unknown field") {
                "unknown_field"
            } else if text.contains("missing field") {
                "missing_field"
            } else if text.contains("invalid type") {
                "wrong_type"
            } else {
                "invalid_body"
            };
            ApiError::invalid(code, text)
        }
        _ if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body_too_large",
            format!(
                "the body is larger than the limit of {} bytes",
                crate::routes::BODY_LIMIT
            ),
        ),
        _ => ApiError::bad_request("unreadable_body", text),
    }
}

/// Path parameters; a malformed one (a word where an id goes) is a 400.
pub(crate) struct ApiPath<T>(pub(crate) T);

impl<S, T> FromRequestParts<S> for ApiPath<T>
where
    S: Send + Sync,
    T: DeserializeOwned + Send,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(value)) => Ok(Self(value)),
            Err(rejection) => Err(path_rejection(&rejection)),
        }
    }
}

fn path_rejection(rejection: &PathRejection) -> ApiError {
    ApiError::bad_request(
        "bad_path",
        format!("the path is malformed: {}", rejection.body_text()),
    )
}

/// Query-string parameters; a wrong or unknown one is a 400.
pub(crate) struct ApiQuery<T>(pub(crate) T);

impl<S, T> FromRequestParts<S> for ApiQuery<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(value)) => Ok(Self(value)),
            Err(rejection) => Err(query_rejection(&rejection)),
        }
    }
}

fn query_rejection(rejection: &QueryRejection) -> ApiError {
    ApiError::bad_request(
        "bad_query",
        format!("the query string is malformed: {}", rejection.body_text()),
    )
}
