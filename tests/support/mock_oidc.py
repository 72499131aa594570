"""A local OpenID Connect provider for tests, offline: discovery, authorize, token, JWKS,
userinfo and end-session endpoints, signing ID tokens with a fresh RSA key.

    python -m tests.support.mock_oidc --port 9400 --email nurse@example.test

`/authorize` signs in the configured person at once (no login page) and sends the browser
back to the client's redirect_uri with a code; `/token` trades the code for an ID token
carrying the nonce the client sent. Only what Streamlit's st.login (Authlib) needs.
"""

from __future__ import annotations

import argparse
import secrets
import time
from urllib.parse import urlencode

import uvicorn
from joserfc import jwt
from joserfc.jwk import RSAKey
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse
from starlette.routing import Route

CLIENT_ID = "mild-test-client"
CLIENT_SECRET = "mild-test-secret"


def make_app(base_url: str, email: str, name: str = "Test Person") -> Starlette:
    key = RSAKey.generate_key(2048, parameters={"kid": "test-key", "use": "sig", "alg": "RS256"})
    codes: dict[str, dict] = {}

    def discovery(_: Request) -> JSONResponse:
        return JSONResponse(
            {
                "issuer": base_url,
                "authorization_endpoint": f"{base_url}/authorize",
                "token_endpoint": f"{base_url}/token",
                "jwks_uri": f"{base_url}/jwks",
                "userinfo_endpoint": f"{base_url}/userinfo",
                "end_session_endpoint": f"{base_url}/logout",
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "scopes_supported": ["openid", "email", "profile"],
                "token_endpoint_auth_methods_supported": [
                    "client_secret_basic",
                    "client_secret_post",
                ],
            }
        )

    def authorize(request: Request) -> RedirectResponse:
        q = request.query_params
        code = secrets.token_urlsafe(16)
        codes[code] = {"nonce": q.get("nonce"), "client_id": q.get("client_id")}
        back = {"code": code, "state": q.get("state", "")}
        return RedirectResponse(f"{q['redirect_uri']}?{urlencode(back)}", 302)

    async def token(request: Request) -> JSONResponse:
        form = await request.form()
        grant = codes.pop(str(form.get("code")), None)
        if grant is None:
            return JSONResponse({"error": "invalid_grant"}, 400)
        now = int(time.time())
        claims = {
            "iss": base_url,
            "sub": "test-subject-1",
            "aud": grant["client_id"] or CLIENT_ID,
            "iat": now,
            "exp": now + 300,
            "email": email,
            "email_verified": True,
            "name": name,
        }
        if grant["nonce"]:
            claims["nonce"] = grant["nonce"]
        id_token = jwt.encode({"alg": "RS256", "kid": "test-key"}, claims, key)
        return JSONResponse(
            {
                "access_token": secrets.token_urlsafe(16),
                "token_type": "Bearer",
                "expires_in": 300,
                "id_token": id_token,
            }
        )

    def jwks(_: Request) -> JSONResponse:
        return JSONResponse({"keys": [key.as_dict(private=False)]})

    def userinfo(_: Request) -> JSONResponse:
        return JSONResponse({"sub": "test-subject-1", "email": email, "name": name})

    def logout(request: Request) -> RedirectResponse:
        return RedirectResponse(request.query_params.get("post_logout_redirect_uri", "/"), 302)

    return Starlette(
        routes=[
            Route("/.well-known/openid-configuration", discovery),
            Route("/authorize", authorize),
            Route("/token", token, methods=["POST"]),
            Route("/jwks", jwks),
            Route("/userinfo", userinfo),
            Route("/logout", logout),
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--email", required=True)
    args = parser.parse_args()
    base = f"http://127.0.0.1:{args.port}"
    uvicorn.run(make_app(base, args.email), host="127.0.0.1", port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
