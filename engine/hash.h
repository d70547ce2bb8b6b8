#pragma once
// Hash object: written by the command-families work.
