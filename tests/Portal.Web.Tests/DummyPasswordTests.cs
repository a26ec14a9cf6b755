using Microsoft.AspNetCore.Identity;
using Portal.Data.Entities;
using Portal.Web.Identity;

namespace Portal.Web.Tests;

/// <summary>
/// An unknown or locked account is refused at the cost of one real password hash, as a wrong password is, so the
/// time of the answer does not tell who has an account. (How long each refusal takes is a figure for a benchmark,
/// not an assertion: a shared machine's timings vary.)
/// </summary>
public sealed class DummyPasswordTests
{
    [Fact]
    public void Each_refusal_verifies_the_password_against_a_real_hash_of_the_same_hasher()
    {
        var hasher = new CountingHasher();
        DummyPassword.Verify(hasher, "Wrong-password-1");
        DummyPassword.Verify(hasher, "another-guess");

        Assert.Equal(2, hasher.Verifications.Count);
        foreach (var (hash, password) in hasher.Verifications)
        {
            // Identity's V3 format (PBKDF2 with its iteration count): the same work as a real account's check.
            Assert.Equal(0x01, Convert.FromBase64String(hash)[0]);
            Assert.Equal(PasswordVerificationResult.Failed, new PasswordHasher<PortalUser>().VerifyHashedPassword(new PortalUser(), hash, password));
        }
        Assert.Equal(["Wrong-password-1", "another-guess"], hasher.Verifications.Select(v => v.Password));
    }

    private sealed class CountingHasher : IPasswordHasher<PortalUser>
    {
        private readonly PasswordHasher<PortalUser> _real = new();
        public List<(string Hash, string Password)> Verifications { get; } = [];

        public string HashPassword(PortalUser user, string password) => _real.HashPassword(user, password);

        public PasswordVerificationResult VerifyHashedPassword(PortalUser user, string hashedPassword, string providedPassword)
        {
            Verifications.Add((hashedPassword, providedPassword));
            return _real.VerifyHashedPassword(user, hashedPassword, providedPassword);
        }
    }
}
