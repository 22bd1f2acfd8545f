#include "common/error.hpp"

#include <cstring>
#include <netdb.h>

namespace netlab {

std::string errno_name(int err)
{
    // strerrorname_np is glibc 2.32+; everything netlab targets has it.
    if (const char* name = strerrorname_np(err))
        return name;
    return "errno " + std::to_string(err);
}

std::string describe_errno(int err)
{
    return std::string(std::strerror(err)) + " (errno " + std::to_string(err) + ", " + errno_name(err) + ")";
}

SysError::SysError(std::string call, int err)
    : std::runtime_error(call + ": " + describe_errno(err)), call_(std::move(call)), err_(err)
{
}

ResolveError::ResolveError(const std::string& what_was_resolved, int eai)
    : std::runtime_error("getaddrinfo(" + what_was_resolved + "): " + gai_strerror(eai) + " (EAI " + std::to_string(eai) + ")"),
      eai_(eai)
{
}

void throw_sys(const std::string& call, int err) { throw SysError(call, err); }

}  // namespace netlab
