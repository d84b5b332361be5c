#include <node_api.h>
static napi_value Hash(napi_env env, napi_callback_info info) {
  napi_value r; napi_create_uint32(env, 5381u * 33u + 7u, &r); return r;
}
static napi_value Init(napi_env env, napi_value exports) {
  napi_value fn; napi_create_function(env, NULL, 0, Hash, NULL, &fn);
  napi_set_named_property(env, exports, "hash", fn); return exports;
}
NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
