// SPDX-License-Identifier: Apache-2.0
#include "cli/nic_option.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cli/console_sink.h"
#include "cli/virtio_options.h"

namespace tandem::cli {
namespace {

uint32_t ip(const char* dotted) {
  in_addr a{};
  EXPECT_EQ(inet_pton(AF_INET, dotted, &a), 1) << dotted;
  return a.s_addr;
}

TEST(ParseNic, TakesQemusHostfwdRules) {
  std::string error;
  auto n = parse_nic("user", error);
  ASSERT_TRUE(n.has_value()) << error;
  EXPECT_TRUE(n->forwards.empty());
  EXPECT_FALSE(n->mac.has_value());
  n = parse_nic(
      "user,hostfwd=tcp::2222-:22,model=virtio-net-device,hostfwd=udp:127.0.0.1:5353-10.0.2.9:53,"
      "mac=52:54:00:aa:0B:cc",
      error);
  ASSERT_TRUE(n.has_value()) << error;
  ASSERT_EQ(n->forwards.size(), 2u);
  const hosted::HostForward& ssh = n->forwards[0];
  EXPECT_FALSE(ssh.udp);
  EXPECT_EQ(ssh.host_addr.s_addr, 0u);
  EXPECT_EQ(ssh.host_port, 2222);
  EXPECT_EQ(ssh.guest_addr.s_addr, 0u);
  EXPECT_EQ(ssh.guest_port, 22);
  const hosted::HostForward& dns = n->forwards[1];
  EXPECT_TRUE(dns.udp);
  EXPECT_EQ(dns.host_addr.s_addr, ip("127.0.0.1"));
  EXPECT_EQ(dns.host_port, 5353);
  EXPECT_EQ(dns.guest_addr.s_addr, ip("10.0.2.9"));
  EXPECT_EQ(dns.guest_port, 53);
  ASSERT_TRUE(n->mac.has_value());
  EXPECT_EQ(*n->mac, (std::array<uint8_t, 6>{0x52, 0x54, 0x00, 0xaa, 0x0b, 0xcc}));
}

TEST(ParseNic, RefusesWhatItDoesNotHaveWithTheReason) {
  for (const char* bad :
       {"", "tap", "user,", "hostfwd=tcp::1-:2", "user,hostfwd=tcp::2222",
        "user,hostfwd=sctp::1-:2", "user,hostfwd=tcp::0-:22", "user,hostfwd=tcp::70000-:22",
        "user,hostfwd=tcp:1.2.3:1-:2", "user,hostfwd=tcp::22x-:22", "user,mac=52:54:00:12:34",
        "user,mac=53:54:00:12:34:56", "user,mac=52-54-00-12-34-56", "user,model=e1000",
        "user,net=10.0.3.0/24"}) {
    std::string error;
    EXPECT_FALSE(parse_nic(bad, error).has_value()) << bad;
    EXPECT_NE(error.find("--nic"), std::string::npos) << bad;
  }
}

TEST(VirtioSet, RefusesAForwardFromAHostPortInUse) {
  const int s = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(s, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(s, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(listen(s, 1), 0);
  socklen_t len = sizeof addr;
  ASSERT_EQ(getsockname(s, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  const std::string port = std::to_string(ntohs(addr.sin_port));
  std::string error;
  VirtioOptions opts;
  opts.nics.push_back(*parse_nic("user,hostfwd=tcp:127.0.0.1:" + port + "-:22", error));
  StdoutSink console;
  EXPECT_EQ(VirtioSet::create(opts, console, [] {}), nullptr);
  close(s);
  auto set = VirtioSet::create(opts, console, [] {});
  ASSERT_NE(set, nullptr);
  EXPECT_EQ(set->devices().size(), 1u);
}

}  // namespace
}  // namespace tandem::cli
