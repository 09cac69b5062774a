# SPDX-License-Identifier: Apache-2.0
# The riscv64-only bare-metal tests (included by tests/baremetal/CMakeLists.txt): guests from
# tests/baremetal/riscv64/, built by the riscv64 sub-build, packed into tandem-riscv64.elf and
# checked like the common guests (run_image_test.sh), plus the same guest alone on QEMU as the
# reference for the expected output.
if(NOT EXISTS ${PROJECT_SOURCE_DIR}/backends/baremetal/riscv64/CMakeLists.txt)
  return()
endif()
foreach(guest hs_traps hs_irqs)
  set(elf ${TANDEM_ARTIFACTS_DIR}/baremetal-guests/riscv64/${guest}.elf)
  tandem_image_test(riscv64 ${elf} ${CMAKE_CURRENT_SOURCE_DIR} ${guest})
  add_test(NAME baremetal_riscv64_${guest}_qemu_reference
    COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/riscv64/run_reference.sh ${elf}
      ${CMAKE_CURRENT_SOURCE_DIR}/riscv64/${guest}.out
      ${CMAKE_CURRENT_SOURCE_DIR}/riscv64/${guest}.status)
  set_tests_properties(baremetal_riscv64_${guest}_qemu_reference
    PROPERTIES LABELS baremetal SKIP_RETURN_CODE 77 TIMEOUT 300)
endforeach()
