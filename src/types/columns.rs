//! How Roomlink's own column types travel through sqlx's `Any` driver, which
//! only knows integers, floats, text, blobs and (on PostgreSQL) booleans.

use sqlx::{
    any::{AnyTypeInfo, AnyTypeInfoKind, AnyValueRef},
    decode::Decode,
    encode::{Encode, IsNull},
    error::BoxDynError,
    Any, Database, Type,
};

use super::rooms::Role;

/// A yes/no column (`keep_history`, `can_write`, `is_teacher`...), stored as
/// an integer 0 or 1 on both databases. Read it into a `bool` field with
/// `#[sqlx(try_from = "Flag")]`, or as `Flag` in a tuple and take `.0`.
/// Anything but 0 is yes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Flag(pub bool);

impl From<Flag> for bool {
    fn from(flag: Flag) -> bool {
        flag.0
    }
}

impl Type<Any> for Flag {
    fn type_info() -> AnyTypeInfo {
        <i64 as Type<Any>>::type_info()
    }

    fn compatible(ty: &AnyTypeInfo) -> bool {
        ty.kind().is_integer() || ty.kind() == AnyTypeInfoKind::Bool
    }
}

impl<'r> Decode<'r, Any> for Flag {
    /// Reads an integer (0 is no) or, for a PostgreSQL expression such as
    /// `EXISTS (...)`, a boolean.
    fn decode(value: AnyValueRef<'r>) -> Result<Flag, BoxDynError> {
        if sqlx::ValueRef::type_info(&value).kind() == AnyTypeInfoKind::Bool {
            return Ok(Flag(<bool as Decode<Any>>::decode(value)?));
        }
        Ok(Flag(<i64 as Decode<Any>>::decode(value)? != 0))
    }
}

impl<'q> Encode<'q, Any> for Flag {
    fn encode_by_ref(&self, buf: &mut <Any as Database>::ArgumentBuffer<'q>) -> Result<IsNull, BoxDynError> {
        <i64 as Encode<'q, Any>>::encode(i64::from(self.0), buf)
    }
}

impl Type<Any> for Role {
    fn type_info() -> AnyTypeInfo {
        <str as Type<Any>>::type_info()
    }

    fn compatible(ty: &AnyTypeInfo) -> bool {
        <str as Type<Any>>::compatible(ty)
    }
}

impl<'r> Decode<'r, Any> for Role {
    /// Errors: text other than `owner`, `moderator` or `member` (the column's CHECK rules it out).
    fn decode(value: AnyValueRef<'r>) -> Result<Role, BoxDynError> {
        match <&str as Decode<Any>>::decode(value)? {
            "owner" => Ok(Role::Owner),
            "moderator" => Ok(Role::Moderator),
            "member" => Ok(Role::Member),
            other => Err(format!("unknown role {other:?}").into()),
        }
    }
}

impl<'q> Encode<'q, Any> for Role {
    fn encode_by_ref(&self, buf: &mut <Any as Database>::ArgumentBuffer<'q>) -> Result<IsNull, BoxDynError> {
        <&str as Encode<'q, Any>>::encode(self.label(), buf)
    }
}
