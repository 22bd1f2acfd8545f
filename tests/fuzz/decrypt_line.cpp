// Fuzz target: one line from a decrypt client (lesson04_multiconn/decrypt_request.hpp), parsed
// and checked as decrypt_server does, then printed as it logs it.
#include "lesson04_multiconn/decrypt_request.hpp"

#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string line(reinterpret_cast<const char*>(data), size);
    try {
        const app::Json words = decrypt::parse_request(line);
        (void)app::python_repr(words);
        (void)app::json_dumps(words);
    } catch (const decrypt::BadRequest& e) {
        (void)app::json_dumps({{"error", e.what()}});  // the answer the client gets
    }
    return 0;
}
