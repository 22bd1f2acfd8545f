// Fuzz target: the user line a users_server client sends on connect
// (lesson04_multiconn/users_user.hpp), parsed and checked, then printed as the server lists it.
#include "lesson04_multiconn/users_user.hpp"

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string line(reinterpret_cast<const char*>(data), size);
    try {
        const users::User user = users::parse_line(line);
        (void)user.repr();
        (void)user.to_line();
    } catch (const std::invalid_argument&) {
    }
    return 0;
}
